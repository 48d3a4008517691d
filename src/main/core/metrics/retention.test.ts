import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EXECUTION_STATUSES } from '../../../shared/contract';
import { STORE_FILE } from '../db/store';
import { testCore } from '../testing/test-core';
import { insertExecutions } from '../testing/seed-executions';
import { metricsOnDisk } from '../testing/metrics-kit';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const DAY = 86_400_000;
const ctx = { transport: 'direct' as const };

describe('retention', () => {
  it('deletes only what is older than the retention days, and never a run still going', async () => {
    const t = metricsOnDisk({ retentionDays: 30, gauges: { queueDepth: () => 1 } });
    cleanups.push(t.cleanup);
    const now = t.clock.now();
    const old = now - 31 * DAY;
    const recent = now - 29 * DAY;
    // One old and one recent execution of every status.
    const oldIds = insertExecutions(
      t.db,
      EXECUTION_STATUSES.map((status) => ({ status, createdAtMs: old, durationMs: 5, workflowId: 'w' })),
    );
    const recentIds = insertExecutions(
      t.db,
      EXECUTION_STATUSES.map((status) => ({ status, createdAtMs: recent, durationMs: 5, workflowId: 'w' })),
    );
    t.db
      .prepare('INSERT INTO metric_samples (gauge, at_ms, value) VALUES (?, ?, ?), (?, ?, ?)')
      .run('queueDepth', old, 1, 'queueDepth', recent, 2);
    t.clock.set(old);
    t.module.monitor.recordNow({ severity: 'info', kind: 'test.old', message: 'old' });
    t.clock.set(recent);
    t.module.monitor.recordNow({ severity: 'info', kind: 'test.recent', message: 'recent' });
    t.clock.set(now);

    const result = t.module.runRetention();
    expect(result).toMatchObject({ executions: 5, monitoringEvents: 1, samples: 1 });

    const remaining = t.db.prepare('SELECT id, status FROM executions ORDER BY id').all() as {
      id: number;
      status: string;
    }[];
    const nonTerminal = ['queued', 'awaiting_approval', 'dispatching', 'running', 'waiting', 'retrying'];
    expect(remaining.map((r) => r.id)).toEqual([
      ...oldIds.filter((_, i) => nonTerminal.includes(EXECUTION_STATUSES[i]!)),
      ...recentIds,
    ]);
    // Old day rollups are gone; the recent day's are untouched.
    const rollupDays = t.db
      .prepare('SELECT DISTINCT bucket_ms FROM metric_rollups WHERE grain_ms = 86400000')
      .pluck()
      .all();
    expect(rollupDays).toEqual([recent - (recent % DAY)]);
    const events = await t.module.handlers['monitoring:list']({ limit: 10 }, ctx);
    expect(events.events.map((e) => e.kind)).toEqual(['retention.run', 'test.recent']);

    // Nothing old is left: a second run deletes nothing and logs nothing.
    expect(t.module.runRetention()).toMatchObject({ executions: 0, monitoringEvents: 0, samples: 0, rollups: 0 });
  });

  it('still cleans up the rest when another table holds on to an old execution', async () => {
    const t = metricsOnDisk({ retentionDays: 30 });
    cleanups.push(t.cleanup);
    const now = t.clock.now();
    const [old] = insertExecutions(t.db, [{ status: 'failed', createdAtMs: now - 40 * DAY }]);
    t.db.exec('CREATE TABLE other_module (execution_id INTEGER NOT NULL REFERENCES executions (id)) STRICT');
    t.db.prepare('INSERT INTO other_module VALUES (?)').run(old);
    t.clock.set(now - 40 * DAY);
    t.module.monitor.recordNow({ severity: 'info', kind: 'test.old', message: 'old' });
    t.clock.set(now);

    expect(t.module.runRetention()).toMatchObject({ executions: 0, monitoringEvents: 1 });
    const kinds = (await t.module.handlers['monitoring:list']({ limit: 10 }, ctx)).events.map((e) => e.kind);
    expect(kinds).toEqual(['retention.run', 'retention.failed']);
    expect(t.db.prepare('SELECT COUNT(*) FROM executions').pluck().get()).toBe(1);
  });

  it('follows the retention setting', () => {
    const t = metricsOnDisk({ retentionDays: 30 });
    cleanups.push(t.cleanup);
    const now = t.clock.now();
    insertExecutions(t.db, [{ status: 'succeeded', createdAtMs: now - 10 * DAY }]);
    expect(t.module.runRetention().executions).toBe(0);
    t.setRetentionDays(7);
    expect(t.module.runRetention().executions).toBe(1);
  });
});

describe('metrics contract boundary', () => {
  it('rejects bad inputs with VALIDATION and changes nothing', async () => {
    const t = testCore({ metrics: { pollMs: 0 } });
    cleanups.push(t.cleanup);
    const bad: [string, unknown][] = [
      ['metrics:summary', { range: '2h' }],
      ['metrics:summary', { range: 'custom', fromMs: 10 }],
      ['metrics:summary', { range: 'custom', fromMs: 10, toMs: 5 }],
      ['metrics:summary', { range: '1h', fromMs: 10 }],
      ['metrics:series', { range: '24h', workflowId: '' }],
      ['metrics:drilldown', { fromMs: 5, toMs: 5 }],
      ['metrics:drilldown', { fromMs: 0, toMs: 5, statuses: ['exploded'] }],
      ['metrics:drilldown', { fromMs: 0, toMs: 5, limit: 100000 }],
      [
        'alerts:createRule',
        { rule: { name: 'x', condition: { kind: 'error_rate', thresholdPct: 140, windowMs: 60000 } } },
      ],
      ['alerts:createRule', { rule: { name: 'x', condition: { kind: 'p95_duration', thresholdMs: 5, windowMs: 10 } } }],
      ['alerts:createRule', { rule: { name: ' ', condition: { kind: 'instance_down' } } }],
      ['alerts:createRule', { rule: { name: 'x', condition: { kind: 'cpu_hot' } } }],
      ['alerts:createRule', { rule: { name: 'x', condition: { kind: 'queue_depth', threshold: 1, extra: 1 } } }],
      ['alerts:updateRule', { id: 'x', rule: { name: 'x' } }],
      ['alerts:list', { state: 'closed' }],
      ['monitoring:list', { minSeverity: 'fatal' }],
      ['monitoring:list', { limit: 0 }],
    ];
    for (const [channel, input] of bad) {
      const result = await t.core.invoke(channel, input);
      expect(result, `${channel} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await t.core.call('alerts:listRules', {})).toEqual({ ok: true, data: { rules: [] } });
    expect(
      await t.core.call('alerts:updateRule', { id: 'nope', rule: { name: 'x', condition: { kind: 'instance_down' } } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('serves metrics through the core for rows written by another connection', async () => {
    const t = testCore({ metrics: { pollMs: 0 } });
    cleanups.push(t.cleanup);
    const db = new Database(join(t.dataDir, STORE_FILE));
    cleanups.push(() => void db.close());
    insertExecutions(db, [
      { status: 'succeeded', createdAtMs: t.clock.now() - 1000, durationMs: 40, instanceId: 'i', workflowId: 'w' },
      { status: 'failed', createdAtMs: t.clock.now() - 2000, durationMs: 60, instanceId: 'i', workflowId: 'w' },
    ]);
    expect(await t.core.call('metrics:summary', { range: '1h' })).toMatchObject({
      ok: true,
      data: { total: 2, errorRate: 0.5, p50Ms: 40, p99Ms: 60 },
    });
    expect(await t.core.call('metrics:dimensions', {})).toEqual({
      ok: true,
      data: { instances: ['i'], workflows: [{ instanceId: 'i', workflowId: 'w' }], mappings: [] },
    });
    const workflows = await t.core.call('metrics:workflows', { range: '24h' });
    expect(workflows.ok && workflows.data.workflows).toEqual([
      expect.objectContaining({ instanceId: 'i', workflowId: 'w', summary: expect.objectContaining({ total: 2 }) }),
    ]);
    const text = await t.core.call('metrics:prometheus', {});
    expect(text.ok && text.data.text).toContain(
      'flightdeck_executions_total{instance="i",workflow="w",outcome="failed"} 1',
    );
  });
});
