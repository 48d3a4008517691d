import { afterEach, describe, expect, it } from 'vitest';
import { approvalDetail } from './approval-detail';
import { createApprovalsModule } from './approvals-module';
import { approvalsHarness, expectCode } from '../testing/approvals-kit';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function harness(...args: Parameters<typeof approvalsHarness>) {
  const h = approvalsHarness(...args);
  cleanups.push(h.cleanup, () => h.module.stop());
  return h;
}
const statusOf = (h: ReturnType<typeof harness>, executionId: number | null) =>
  h.db.prepare('SELECT status FROM executions WHERE id = ?').pluck().get(executionId);

describe('gates', () => {
  it('approve releases the run once, inside the decision transaction, and is audited', () => {
    const h = harness();
    const item = h.gate();
    expect(item).toMatchObject({ kind: 'gate', status: 'pending', priority: 5 });
    expect(h.calls.released).toEqual([]); // nothing gated is dispatched without a decision
    const decided = h.service.decide(item.id, 'approve', 'looks fine');
    expect(decided).toMatchObject({
      status: 'approved',
      decision: 'approve',
      decidedBy: 'tester',
      comment: 'looks fine',
    });
    expect(h.calls.released).toEqual([{ executionId: item.executionId, decidedBy: 'tester', inTransaction: true }]);
    expect(h.calls.rejected).toEqual([]);
    expect(h.auditActions()).toEqual(['approval.create', 'approval.approve']);
    expect(h.audit.verify().ok).toBe(true);
    expect(h.events.map(([e]) => e)).toContain('approvals:arrived');
  });

  it('createGate also works without the caller passing announce', () => {
    const h = harness();
    const executionId = Number(
      h.db
        .prepare(
          "INSERT INTO executions (source, status, created_at_ms, updated_at_ms) VALUES ('local', 'awaiting_approval', 0, 0)",
        )
        .run().lastInsertRowid,
    );
    const item = h.service.createGate({
      executionId,
      mappingId: 'm1',
      instanceId: 'dev',
      workflowId: null,
      event: 'order.created',
      payload: {},
      priority: 2,
      expiresAtMs: null,
      expiryAction: null,
      summary: 'no announce',
    });
    expect(item).toMatchObject({ status: 'pending', executionId });
    expect(h.events.map(([e]) => e)).toContain('approvals:arrived');
  });

  it('reject calls rejectGate with the reason', () => {
    const h = harness();
    const item = h.gate();
    h.service.decide(item.id, 'reject', 'customer cancelled');
    expect(h.calls.rejected).toEqual([
      { executionId: item.executionId, reason: 'customer cancelled', inTransaction: true },
    ]);
    expect(h.calls.released).toEqual([]);
  });

  it('rolls the decision back when the queue refuses the release', () => {
    const h = harness({
      releaseGate: () => {
        throw new Error('queue full');
      },
    });
    const item = h.gate();
    expect(() => h.service.decide(item.id, 'approve')).toThrow('queue full');
    expect(h.service.rows.get(item.id).status).toBe('pending');
    expect(h.auditActions()).toEqual(['approval.create']);
  });

  it('the stand-in ports move the shared executions row', () => {
    const t = approvalsHarness();
    cleanups.push(t.cleanup);
    // Re-create the module with the default (executions-table) ports.
    return import('../testing/approvals-kit').then(({ executionsTablePorts }) => {
      const m = createApprovalsModule(
        t.ctx,
        t.audit,
        executionsTablePorts(t.ctx.store, () => t.clock.now()),
      );
      const a = t.gate();
      const b = t.gate();
      m.service.decide(a.id, 'approve');
      m.service.decide(b.id, 'reject', 'no');
      expect(statusOf(t as never, a.executionId)).toBe('queued');
      expect(statusOf(t as never, b.executionId)).toBe('rejected');
    });
  });
});

describe('bad decisions change nothing', () => {
  it('unknown id → NOT_FOUND, decided twice → CONFLICT, reject without comment → VALIDATION', () => {
    const h = harness();
    const item = h.gate();
    expect(expectCode(() => h.service.decide(999, 'approve'), 'NOT_FOUND')).toMatch(/No approval with id 999/);
    expect(expectCode(() => h.service.decide(item.id, 'reject'), 'VALIDATION')).toMatch(/comment is required/);
    expect(expectCode(() => h.service.decide(item.id, 'reject', '   '), 'VALIDATION')).toMatch(/comment/);
    expect(h.service.rows.get(item.id).status).toBe('pending');
    h.service.decide(item.id, 'approve');
    expect(expectCode(() => h.service.decide(item.id, 'reject', 'late'), 'CONFLICT')).toMatch(/already approved/);
    expect(h.calls.released).toHaveLength(1);
    expect(h.calls.rejected).toHaveLength(0);
    expect(h.auditActions()).toEqual(['approval.create', 'approval.approve']);
  });
});

describe('bulk decisions', () => {
  it('decides 200 items; refused items are reported and do not undo the others', () => {
    const h = harness();
    const items = Array.from({ length: 200 }, () => h.gate());
    h.service.decide(items[7]!.id, 'approve'); // already decided
    const ids = [...items.map((i) => i.id), 12345];
    h.events.splice(0);
    const result = h.service.decideMany(ids, 'reject', 'batch cleanup');
    // Announced after commit, once for the batch: the refused items are not in it.
    const changed = h.events.filter(([e]) => e === 'approvals:changed');
    expect(changed).toHaveLength(1);
    expect((changed[0]?.[1] as { ids: number[] }).ids).toHaveLength(199);
    expect(result.decided).toBe(199);
    expect(result.refused).toBe(2);
    expect(result.results.filter((r) => !r.ok).map((r) => r.error?.code)).toEqual(['CONFLICT', 'NOT_FOUND']);
    expect(h.calls.rejected).toHaveLength(199);
    expect(h.calls.released).toHaveLength(1);
    expect(h.service.count()).toEqual({ pending: 0, high: 0 });
    expect(h.auditActions().filter((a) => a === 'approval.reject')).toHaveLength(199);
    expect(h.audit.verify().ok).toBe(true);
  });

  it('a bulk reject without a comment is refused whole', () => {
    const h = harness();
    const a = h.gate();
    expectCode(() => h.service.decideMany([a.id], 'reject'), 'VALIDATION');
    expect(h.service.rows.get(a.id).status).toBe('pending');
  });
});

describe('expiry', () => {
  it('applies due expiries on tick with the expiry action, and lists them for the operator', async () => {
    const h = harness();
    const t0 = h.clock.now();
    const approveLater = h.gate({ expiresAtMs: t0 + 60_000, expiryAction: 'approve' });
    const rejectLater = h.gate({ expiresAtMs: t0 + 120_000, expiryAction: 'reject' });
    const never = h.gate();
    h.clock.advance(59_999);
    await h.module.tick();
    expect(h.service.count().pending).toBe(3);
    h.clock.advance(1);
    await h.module.tick();
    expect(h.service.rows.get(approveLater.id)).toMatchObject({
      status: 'expired',
      decision: 'approve',
      decided_by: 'system',
    });
    expect(h.calls.released.map((c) => c.executionId)).toEqual([approveLater.executionId]);
    h.clock.advance(60_000);
    await h.module.tick();
    expect(h.service.rows.get(rejectLater.id)).toMatchObject({ status: 'expired', decision: 'reject' });
    expect(h.calls.rejected[0]?.reason).toMatch(/expired and rejected automatically/);
    expect(h.service.rows.get(never.id).status).toBe('pending');
    const notice = h.service.expiredNotice().items;
    expect(notice.map((i) => i.id).sort()).toEqual([approveLater.id, rejectLater.id].sort());
    expect(h.auditActions().filter((a) => a === 'approval.expire')).toHaveLength(2);
    expect(h.service.acknowledgeExpired(notice.map((i) => i.id))).toEqual({ acknowledged: 2 });
    expect(h.service.expiredNotice().items).toEqual([]);
  });

  it('applies expiries that fell due while the app was closed, at start', async () => {
    const h = harness();
    const item = h.gate({ expiresAtMs: h.clock.now() + 3_600_000, expiryAction: 'reject' });
    await h.module.stop(); // the app closes
    h.clock.advance(5 * 3_600_000);
    const restarted = createApprovalsModule(h.ctx, h.audit, h.ports, { tickMs: 3_600_000 });
    cleanups.push(() => restarted.stop());
    restarted.start();
    await expect.poll(() => h.service.rows.get(item.id).status).toBe('expired');
    expect(h.events).toContainEqual(['approvals:expired', { ids: [item.id] }]);
    expect(restarted.service.expiredNotice().items[0]?.explanation).toMatch(/expired and rejected automatically/);
  });
});

describe('claim and comments', () => {
  it('claims, refuses a silent takeover, reassigns explicitly, comments, and records it all', () => {
    const h = harness();
    const item = h.gate();
    expect(h.service.claim(item.id, undefined).assignee).toBe('tester');
    expect(h.service.claim(item.id, 'ana').assignee).toBe('ana');
    expectCode(() => h.service.claim(item.id, undefined), 'CONFLICT');
    expect(h.service.claim(item.id, null).assignee).toBeNull();
    const c = h.service.comment(item.id, 'checking with finance');
    expect(c).toMatchObject({ author: 'tester', body: 'checking with finance' });
    expectCode(() => h.service.comment(404, 'x'), 'NOT_FOUND');
    expect(h.auditActions()).toEqual([
      'approval.create',
      'approval.claim',
      'approval.claim',
      'approval.release',
      'approval.comment',
    ]);
    expect(h.service.list({ status: 'open', assignee: 'none' }, 10).total).toBe(1);
  });

  it('filters by text, priority and overdue', () => {
    const h = harness();
    h.gate({ summary: 'urgent refund', priority: 1 });
    h.gate({ summary: 'weekly report', priority: 7 });
    expect(h.service.list({ status: 'open', text: 'REFUND' }, 10).items.map((i) => i.summary)).toEqual([
      'urgent refund',
    ]);
    expect(h.service.list({ status: 'open', maxPriority: 2 }, 10).total).toBe(1);
    expect(h.service.list({ status: 'open', text: '%' }, 10).total).toBe(0);
    expect(h.service.count()).toEqual({ pending: 2, high: 1 });
  });
});

describe('detail', () => {
  it('has the payload, the mapping, the history from the audit log, names for ids and its own lineage', () => {
    const h = harness();
    h.db
      .prepare(
        `INSERT INTO mappings (id, event, instance_id, active, config_json, created_at_ms, updated_at_ms) VALUES ('m1', 'order.created', 'dev', 1, '{"webhookPath":"orders","name":"Refunds","approverNote":"Check the amount"}', 0, 0)`,
      )
      .run();
    h.db
      .prepare(
        `INSERT INTO instances (id, name, base_url, api_key_sealed, api_key_last4, secret_kind, environment, color, created_at_ms, updated_at_ms)
         VALUES ('dev', 'prod-eu', 'http://127.0.0.1:1', 'x', '0000', 'aes', 'prod', '#000000', 0, 0)`,
      )
      .run();
    h.db
      .prepare(
        `INSERT INTO workflows (instance_id, id, name, active, tags_json, node_count, nodes_json, webhook_paths_json, synced_at_ms)
         VALUES ('dev', 'wf1', 'Refund approvals', 1, '[]', 2, '[]', '["orders"]', 0)`,
      )
      .run();
    h.history(2, 1);
    const item = h.gate({ payload: { amount: 7 } });
    // A retry of the item's run: part of its lineage, unlike the other runs of the workflow.
    const retryId = Number(
      h.db
        .prepare(
          "INSERT INTO executions (source, status, instance_id, workflow_id, retry_of_id, created_at_ms, updated_at_ms) VALUES ('local', 'queued', 'dev', 'wf1', ?, 9e12, 9e12)",
        )
        .run(item.executionId).lastInsertRowid,
    );
    h.service.comment(item.id, 'looking');
    h.service.decide(item.id, 'reject', 'no budget');
    const d = approvalDetail(h.ctx, h.audit, h.service.rows, item.id);
    expect(d.item.payload).toEqual({ amount: 7 });
    expect(d.mapping).toMatchObject({ webhookPath: 'orders' });
    expect(d.history.map((e) => e.action)).toEqual(['approval.create', 'approval.comment', 'approval.reject']);
    expect(d.comments.map((c) => c.body)).toEqual(['looking', 'no budget']);
    expect(d.related.map((r) => r.id)).toEqual([item.executionId, retryId]);
    expect(d.names).toEqual({ instance: 'prod-eu', workflow: 'Refund approvals', mapping: 'Refunds' });
    expect(d.approverNote).toBe('Check the amount');
  });
});
