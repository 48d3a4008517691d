import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { callHost, startConsole, type ConsoleProcess } from './console';

const run = promisify(execFile);

/** `node bin/flightdeck.mjs …`: exit code and output, never throwing. */
async function flightdeck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/flightdeck.mjs', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the flightdeck CLI door', () => {
  let app: ConsoleProcess;
  let n8n: FakeN8n;
  const hits = () => n8n.state.doorCalls.length;
  const files = mkdtempSync(join(tmpdir(), 'flightdeck-cli-'));

  beforeAll(async () => {
    n8n = await startFakeN8n();
    n8n.addWorkflow('wf-cli', 'CLI', { path: 'cli' });
    app = await startConsole();
    const instance = await callHost<{ id: string }>(app, 'instances:add', {
      name: 'local',
      baseUrl: n8n.baseUrl,
      apiKey: 'cli-test-key-1234',
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    });
    await callHost(app, 'mappings:create', {
      mapping: { event: 'cli.test', instanceId: instance.id, webhookPath: 'cli' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await n8n?.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('emits a signed event that is queued and delivered', async () => {
    const payload = join(files, 'payload.json');
    writeFileSync(payload, '{"orderId": 7}');
    const result = await flightdeck(
      'emit',
      'cli.test',
      '--data',
      payload,
      '--data-dir',
      app.dataDir,
      '--idempotency-key',
      'k1',
    );
    expect(result).toMatchObject({ code: 0 });
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      executionIds: [expect.any(Number)],
      deduplicated: false,
    });
    const again = await flightdeck(
      'emit',
      'cli.test',
      '--data',
      payload,
      '--data-dir',
      app.dataDir,
      '--idempotency-key',
      'k1',
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ deduplicated: true });
    await expect.poll(() => hits()).toBe(1);
  });

  it('refuses bad input with a clear message and an exit code', async () => {
    const unknown = await flightdeck('emit', 'nobody.listens', '--data-dir', app.dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No active mapping listens for "nobody.listens"/);

    const broken = join(files, 'broken.json');
    writeFileSync(broken, '{nope');
    const badJson = await flightdeck('emit', 'cli.test', '--data', broken, '--data-dir', app.dataDir);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toMatch(/not valid JSON/);

    const noConsole = await flightdeck('emit', 'cli.test', '--data-dir', files);
    expect(noConsole.code).toBe(1);
    expect(noConsole.stderr).toMatch(/No running Flightdeck console found/);

    const usage = await flightdeck('fly');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/Usage: flightdeck emit/);
  });
});
