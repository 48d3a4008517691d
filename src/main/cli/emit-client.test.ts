import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock';
import { startIngestServer } from '../core/ingest/http-ingest';
import { writeIngestInfo } from '../core/ingest/ingest-info';
import { ingestSecretPath, loadOrCreateIngestSecret } from '../core/ingest/ingest-secret';
import { sqliteReplayLedger } from '../core/ingest/replay-ledger';
import { silentLogger } from '../core/logger';
import type { EmitRequest } from '../core/ports';
import { testContext } from '../core/testing/test-core';
import { emitToConsole, type EmitToConsoleOptions } from './emit-client';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A data directory with a running ingest door (a console without the rest), as the CLI finds it. */
async function console_() {
  const t = testContext({ clock: systemClock });
  cleanups.push(t.cleanup);
  const secret = loadOrCreateIngestSecret(t.ctx.dataDir, silentLogger);
  const emitted: EmitRequest[] = [];
  const door = await startIngestServer({
    host: '127.0.0.1',
    port: 0,
    secret,
    clock: systemClock,
    logger: silentLogger,
    replay: sqliteReplayLedger(t.ctx.store, () => Date.now()),
    hasMappings: (event) => event === 'cli.test',
    emit: (request) => {
      emitted.push(request);
      return { executionIds: [emitted.length], deduplicated: false };
    },
  });
  cleanups.push(door.close);
  const url = `http://127.0.0.1:${door.port}`;
  writeIngestInfo(t.ctx.dataDir, { url, pid: process.pid, startedAtMs: Date.now() });
  return { dataDir: t.ctx.dataDir, url, emitted, port: door.port };
}

/** Whatever else may listen on the port: records what it was sent and answers as told. */
async function squatter(
  respond: (
    req: IncomingMessage,
    body: string,
  ) => { status: number; body: string; headers?: Record<string, string> } | null,
) {
  const seen: { path: string; body: string; headers: IncomingMessage['headers'] }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body, headers: req.headers });
      const answer = respond(req, body);
      if (answer)
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
      // null: never answer (a hung process).
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () => new Promise((r) => server.close(r)),
    () => server.closeAllConnections(),
  );
  return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const emit = (dataDir: string, over: Partial<EmitToConsoleOptions> = {}) =>
  emitToConsole({ dataDir, event: 'cli.test', body: '{"orderId":7,"card":"4111"}', timeoutMs: 10_000, ...over });

describe('flightdeck emit, talking to the console', () => {
  it('queues an event once the console has answered the challenge and signed its acknowledgement', async () => {
    const c = await console_();
    const outcome = await emit(c.dataDir, { idempotencyKey: 'order-7' });
    expect(outcome).toEqual({ kind: 'queued', answer: { ok: true, executionIds: [1], deduplicated: false } });
    expect(c.emitted).toEqual([
      expect.objectContaining({ payload: { orderId: 7, card: '4111' }, idempotencyKey: 'order-7' }),
    ]);
  });

  it('reports a refusal with the console’s reason', async () => {
    const c = await console_();
    expect(await emit(c.dataDir, { event: 'nobody.listens' })).toEqual({
      kind: 'refused',
      message: expect.stringMatching(/Refused \(404\): No active mapping listens for "nobody.listens"/),
    });
    expect(await emit(c.dataDir, { body: '['.repeat(100) + ']'.repeat(100) })).toMatchObject({
      kind: 'refused',
      message: expect.stringMatching(/deeper than 64 levels/),
    });
  });

  it('finds no console where there is no ingest.json', async () => {
    const t = testContext();
    cleanups.push(t.cleanup);
    expect(await emit(t.ctx.dataDir)).toEqual({
      kind: 'noConsole',
      message: expect.stringMatching(/No running Flightdeck console found/),
    });
  });

  it('recognises a stale ingest.json (its console has exited) and sends nothing, not even a challenge', async () => {
    const c = await console_();
    const listener = await squatter(() => ({ status: 200, body: '{"ok":true}' }));
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
    writeIngestInfo(c.dataDir, { url: listener.url, pid: dead, startedAtMs: Date.now() - 60_000 });
    const outcome = await emit(c.dataDir);
    expect(outcome).toEqual({ kind: 'noConsole', message: expect.stringMatching(/is stale.*pid \d+/) });
    expect(listener.seen).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['altered', 'hunter2\n'],
  ])('refuses an %s secret file instead of signing with it, and sends nothing', async (_name, text) => {
    const c = await console_();
    writeFileSync(ingestSecretPath(c.dataDir), text);
    const outcome = await emit(c.dataDir);
    expect(outcome).toEqual({
      kind: 'noConsole',
      message: expect.stringMatching(/is not a secret this console wrote.*Delete the file and restart the console/s),
    });
    expect(c.emitted).toEqual([]);
  });

  it('refuses a squatter that accepts anything: only the challenge reaches it, never the payload', async () => {
    const c = await console_();
    const fake = await squatter(() => ({
      status: 200,
      body: '{"ok":true,"proof":"sha256=0000","executionIds":[1],"deduplicated":false}',
    }));
    writeIngestInfo(c.dataDir, { url: fake.url, pid: process.pid, startedAtMs: Date.now() });
    const outcome = await emit(c.dataDir, { idempotencyKey: 'order-7' });
    expect(outcome).toEqual({
      kind: 'notThisConsole',
      message: expect.stringMatching(/could not prove it holds this console's ingest secret.*NOT sent/),
    });
    expect(fake.seen.map((s) => s.path)).toEqual(['/challenge']);
    expect(JSON.stringify(fake.seen)).not.toMatch(/orderId|4111|order-7|x-flightdeck-signature/);
    expect(c.emitted).toEqual([]);
  });

  it('does not follow a squatter’s redirect', async () => {
    const c = await console_();
    // Sends the challenge on to the real console: followed, its proof would hold and the payload
    // would then go to the squatter.
    const redirecting = await squatter(() => ({ status: 307, body: '', headers: { location: `${c.url}/challenge` } }));
    writeIngestInfo(c.dataDir, { url: redirecting.url, pid: process.pid, startedAtMs: Date.now() });
    expect(await emit(c.dataDir)).toMatchObject({ kind: 'notThisConsole' });
    expect(redirecting.seen.map((s) => s.path)).toEqual(['/challenge']);
    expect(c.emitted).toEqual([]);
  });

  it('does not believe an acceptance the console did not sign (a relay that passes the challenge)', async () => {
    const c = await console_();
    const forwarder = await forwardingSquatter(c.url);
    writeIngestInfo(c.dataDir, { url: forwarder.url, pid: process.pid, startedAtMs: Date.now() });
    const outcome = await emit(c.dataDir);
    expect(outcome).toEqual({ kind: 'notThisConsole', message: expect.stringMatching(/not signed by this console/) });
    expect(forwarder.paths).toEqual(['/challenge', '/events/cli.test']);
    expect(c.emitted).toEqual([]);
  });

  it('gives up after the timeout when the process on the port never answers, sending nothing', async () => {
    const c = await console_();
    const hung = await squatter(() => null);
    writeIngestInfo(c.dataDir, { url: hung.url, pid: process.pid, startedAtMs: Date.now() });
    const outcome = await emit(c.dataDir, { timeoutMs: 300 });
    expect(outcome).toEqual({
      kind: 'timeout',
      message: expect.stringMatching(/No answer .* within 0.3 s.*Nothing was sent/),
    });
    expect(hung.seen.map((s) => s.path)).toEqual(['/challenge']);
  });

  it('says so when nothing listens where ingest.json points', async () => {
    const c = await console_();
    const gone = await squatter(() => ({ status: 200, body: '{}' }));
    writeIngestInfo(c.dataDir, { url: gone.url, pid: process.pid, startedAtMs: Date.now() });
    await Promise.all(
      cleanups
        .splice(-2)
        .reverse()
        .map((fn) => fn()),
    );
    expect(await emit(c.dataDir)).toEqual({
      kind: 'noConsole',
      message: expect.stringMatching(/Nothing answers at .*ECONNREFUSED.*not listening/),
    });
  });
});

/**
 * A man in the middle: forwards /challenge to the real console (so the proof is right) but keeps
 * the event to itself and answers a 202 of its own.
 */
async function forwardingSquatter(realUrl: string) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      paths.push(req.url ?? '');
      if (req.url === '/challenge') {
        void fetch(`${realUrl}/challenge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
          .then(async (real) =>
            res.writeHead(real.status, { 'content-type': 'application/json' }).end(await real.text()),
          )
          .catch(() => res.writeHead(502).end());
      } else {
        res
          .writeHead(202, { 'content-type': 'application/json', 'x-flightdeck-ack': 'sha256=' + '0'.repeat(64) })
          .end('{"ok":true,"executionIds":[99],"deduplicated":false}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () => new Promise((r) => server.close(r)),
    () => server.closeAllConnections(),
  );
  return { paths, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
