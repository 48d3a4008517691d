import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_FILE } from '../core/db/store';
import { silentLogger } from '../core/logger';
import { insertExecutions } from '../core/testing/seed-executions';
import { tempDir, testCore } from '../core/testing/test-core';
import { startHost } from './host';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function running(metrics?: { token?: string }) {
  const t = testCore({ metrics: { pollMs: 0, gauges: { queueDepth: () => 7 } } });
  const renderer = tempDir();
  writeFileSync(join(renderer.path, 'index.html'), '<!doctype html><div id="root"></div>');
  cleanups.push(renderer.remove);
  const host = await startHost({
    core: t.core,
    rendererDir: renderer.path,
    port: 0,
    token: 'host-token',
    logger: silentLogger,
    ...(metrics ? { metrics } : {}),
  });
  cleanups.push(t.cleanup, () => host.close());
  return { t, host };
}

describe('GET /metrics', () => {
  it('refuses a scrape without the token, or with a wrong one', async () => {
    const { host } = await running({});
    expect((await fetch(`${host.url}metrics`)).status).toBe(401);
    const wrong = await fetch(`${host.url}metrics`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('Bearer');
    const post = await fetch(`${host.url}metrics`, { method: 'POST', headers: { Authorization: 'Bearer host-token' } });
    expect(post.status).toBe(405);
  });

  it('serves the text exposition format with the host token', async () => {
    const { t, host } = await running({});
    const db = new Database(join(t.dataDir, STORE_FILE));
    cleanups.push(() => void db.close());
    const now = t.clock.now();
    insertExecutions(db, [
      { status: 'succeeded', createdAtMs: now - 60_000, durationMs: 120, instanceId: 'prod', workflowId: 'say "hi"' },
      { status: 'failed', createdAtMs: now - 30_000, durationMs: 80, instanceId: 'prod', workflowId: 'say "hi"' },
    ]);
    const res = await fetch(`${host.url}metrics`, { headers: { Authorization: 'Bearer host-token' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE flightdeck_executions_total counter');
    expect(text).toContain(
      'flightdeck_executions_total{instance="prod",workflow="say \\"hi\\"",outcome="succeeded"} 1',
    );
    expect(text).toContain(
      'flightdeck_execution_duration_ms{instance="prod",workflow="say \\"hi\\"",quantile="0.5"} 80',
    );
    expect(text).toContain('flightdeck_execution_duration_ms_count{instance="prod",workflow="say \\"hi\\""} 2');
    expect(text).toContain('flightdeck_queue_depth 7');
    expect(text).toContain('flightdeck_alerts_open 0');
    // Every line is a comment or `name{labels} value`.
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) .+|[a-z_]+(\{.*\})? \S+)$/);
  });

  it('accepts only the scrape token when one is configured, and is absent unless enabled', async () => {
    const { host } = await running({ token: 'scrape-only' });
    expect((await fetch(`${host.url}metrics`, { headers: { Authorization: 'Bearer host-token' } })).status).toBe(401);
    expect((await fetch(`${host.url}metrics`, { headers: { Authorization: 'Bearer scrape-only' } })).status).toBe(200);

    const off = await running();
    const res = await fetch(`${off.host.url}metrics`, { headers: { Authorization: 'Bearer host-token' } });
    // Not enabled: the path is just another client-side route of the console.
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('id="root"');
  });
});
