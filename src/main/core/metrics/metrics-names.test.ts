import { afterEach, describe, expect, it } from 'vitest';
import { insertExecutions } from '../testing/seed-executions';
import { metricsOnDisk } from '../testing/metrics-kit';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));
const ctx = { transport: 'direct' as const };

/** An instance and a synced workflow, as the instances module and the sync write them. */
function named(db: ReturnType<typeof metricsOnDisk>['db']) {
  db.prepare(
    `INSERT INTO instances (id, name, base_url, api_key_sealed, api_key_last4, secret_kind, environment, color,
      created_at_ms, updated_at_ms) VALUES ('i-1', 'Production', 'http://127.0.0.1:1', 'x', 'abcd', 'test', 'prod',
      '#000000', 1, 1)`,
  ).run();
  db.prepare(
    `INSERT INTO workflows (instance_id, id, name, active, tags_json, node_count, nodes_json, webhook_paths_json,
      synced_at_ms) VALUES ('i-1', 'wf-a', 'Orders sync', 1, '[]', 1, '[]', '[]', 1)`,
  ).run();
}

describe('metrics rows and alert scopes by name', () => {
  it('counts only runs without a workflow in the "(no workflow)" row, and names the others', async () => {
    const t = metricsOnDisk();
    cleanups.push(t.cleanup);
    named(t.db);
    const at = t.clock.now() - 60_000;
    insertExecutions(t.db, [
      ...Array.from({ length: 5 }, () => ({
        status: 'succeeded' as const,
        createdAtMs: at,
        durationMs: 10,
        instanceId: 'i-1',
        workflowId: 'wf-a',
      })),
      { status: 'failed', createdAtMs: at, durationMs: 10, instanceId: 'i-1', workflowId: null },
      { status: 'succeeded', createdAtMs: at, durationMs: 10, instanceId: null, workflowId: null },
    ]);
    // Exact (raw rows) and rollup-backed ranges must agree.
    for (const range of ['1h', '30d'] as const) {
      const { workflows } = await t.module.handlers['metrics:workflows']({ range }, ctx);
      const rows = workflows.map((w) => [w.instanceName, w.workflowName, w.instanceId, w.workflowId, w.summary.total]);
      expect(rows[0], range).toEqual(['Production', 'Orders sync', 'i-1', 'wf-a', 5]);
      expect(rows.slice(1), range).toHaveLength(2);
      expect(rows.slice(1), range).toEqual(
        expect.arrayContaining([
          ['Production', null, 'i-1', '', 1],
          [null, null, '', '', 1],
        ]),
      );
    }
  });

  it('shows rule scopes and alert subjects by name', async () => {
    const t = metricsOnDisk();
    cleanups.push(t.cleanup);
    named(t.db);
    const h = t.module.handlers;
    const rule = await h['alerts:createRule'](
      {
        rule: {
          name: 'Orders failing',
          enabled: true,
          cooldownMs: 0,
          instanceId: 'i-1',
          workflowId: 'wf-a',
          condition: { kind: 'error_rate', thresholdPct: 10, windowMs: 600_000, minRuns: 1 },
        },
      },
      ctx,
    );
    expect(rule).toMatchObject({ instanceName: 'Production', workflowName: 'Orders sync' });
    insertExecutions(t.db, [
      { status: 'failed', createdAtMs: t.clock.now() - 1000, durationMs: 10, instanceId: 'i-1', workflowId: 'wf-a' },
    ]);
    t.module.evaluateAlerts();
    const [alert] = (await h['alerts:list']({ limit: 10 }, ctx)).alerts;
    expect(alert).toMatchObject({ subject: 'workflow:wf-a', subjectLabel: 'workflow Orders sync on Production' });
    expect(alert!.message).toBe(
      'Error rate 100.0% over 1 runs is above 10% (Orders failing, workflow Orders sync on Production).',
    );
  });
});
