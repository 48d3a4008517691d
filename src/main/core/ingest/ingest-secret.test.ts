import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../logger';
import { testContext } from '../testing/test-core';
import { createIngestModule } from './ingest-module';
import {
  ingestSecretPath,
  loadOrCreateIngestSecret,
  MalformedIngestSecretError,
  readIngestSecret,
} from './ingest-secret';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function context() {
  const t = testContext();
  cleanups.push(t.cleanup);
  return t;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (message) => warnings.push(message), warnings };
}

/** Leaves the secret file holding `text`, as a crash or a hand edit would. */
function leave(dataDir: string, text: string): void {
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  writeFileSync(ingestSecretPath(dataDir), text, { mode: 0o600 });
}

describe('the ingest secret file', () => {
  it('is made once, as 64 hex characters, owner-only, with no temp file left behind', () => {
    const { ctx } = context();
    const secret = loadOrCreateIngestSecret(ctx.dataDir, silentLogger);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(loadOrCreateIngestSecret(ctx.dataDir, silentLogger)).toBe(secret);
    expect(readIngestSecret(ctx.dataDir)).toBe(secret);
    expect(readdirSync(join(ctx.dataDir, 'keys'))).toEqual(['ingest.secret']);
    if (process.platform !== 'win32') expect(statSync(ingestSecretPath(ctx.dataDir)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n'],
  ])('an %s file (a crash while it was first written) is replaced, never used as an empty key', (_name, text) => {
    const { ctx } = context();
    leave(ctx.dataDir, text);
    expect(() => readIngestSecret(ctx.dataDir)).toThrow(MalformedIngestSecretError);
    const logger = recordingLogger();
    const secret = loadOrCreateIngestSecret(ctx.dataDir, logger);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(ingestSecretPath(ctx.dataDir), 'utf8')).toBe(`${secret}\n`);
    expect(logger.warnings).toEqual([expect.stringMatching(/was empty/)]);
    expect(readdirSync(join(ctx.dataDir, 'keys'))).toEqual(['ingest.secret']);
  });

  it.each([
    ['text', 'hunter2\n'],
    ['a short secret', 'ab'.repeat(31)],
    ['upper-case hex', 'AB'.repeat(32)],
    ['two lines', `${'ab'.repeat(32)}\n${'cd'.repeat(32)}\n`],
  ])('a file holding %s is refused with what to do, and left as it is', (_name, text) => {
    const { ctx } = context();
    leave(ctx.dataDir, text);
    const expected = /not a secret this console wrote.*Delete the file.*every sender.*needs the new secret/s;
    expect(() => loadOrCreateIngestSecret(ctx.dataDir, silentLogger)).toThrow(expected);
    expect(() => readIngestSecret(ctx.dataDir)).toThrow(expected);
    expect(readFileSync(ingestSecretPath(ctx.dataDir), 'utf8')).toBe(text);
  });

  it('the console keeps its door shut over a malformed secret and says why; the rest starts', async () => {
    const { ctx } = context();
    leave(ctx.dataDir, 'hunter2\n');
    const module = createIngestModule(ctx, {
      emit: () => ({ executionIds: [], deduplicated: false }),
      hasMappings: () => true,
      port: 0,
    });
    expect(() => module.start?.()).not.toThrow();
    cleanups.push(() => module.stop?.());
    expect(await module.handlers['ingest:info']({}, { transport: 'direct' })).toEqual({
      url: null,
      secretFile: ingestSecretPath(ctx.dataDir),
      problem: expect.stringMatching(/not a secret this console wrote.*Delete the file/s),
    });
    expect(readdirSync(ctx.dataDir)).not.toContain('ingest.json');
  });
});
