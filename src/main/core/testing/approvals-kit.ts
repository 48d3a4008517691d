import { AppError } from '../../../shared/result';
import { createApprovalsModule, type ApprovalsModuleOptions } from '../approvals/approvals-module';
import { waitingFromExecutionsTable } from '../approvals/default-ports';
import type { ApprovalPorts, GateRequest, ResumeBody } from '../approvals/ports';
import type { CoreContext } from '../context';
import type { Announce, Store } from '../db/store';
import { testContext } from './test-core';

/** A fake n8n: remembers which executions resumed, answers 409 to a second resume. */
export function fakeN8n() {
  const resumed = new Map<string, ResumeBody>();
  const calls: { resumeUrl: string; body: ResumeBody }[] = [];
  return {
    resumed,
    calls,
    resume(resumeUrl: string, body: ResumeBody): { status: number } {
      calls.push({ resumeUrl, body });
      if (resumed.has(resumeUrl)) return { status: 409 };
      resumed.set(resumeUrl, body);
      return { status: 200 };
    },
  };
}

export interface PortCalls {
  released: { executionId: number; decidedBy: string; inTransaction: boolean }[];
  rejected: { executionId: number; reason: string; inTransaction: boolean }[];
}

/** Ports that record what they were asked, and a fake n8n behind resumeExecution. */
export function recordingPorts(ctx: CoreContext, over: Partial<ApprovalPorts> = {}) {
  const calls: PortCalls = { released: [], rejected: [] };
  const n8n = fakeN8n();
  const ports: ApprovalPorts = {
    releaseGate: (executionId, decidedBy) =>
      void calls.released.push({ executionId, decidedBy, inTransaction: ctx.store.db.inTransaction }),
    rejectGate: (executionId, reason) =>
      void calls.rejected.push({ executionId, reason, inTransaction: ctx.store.db.inTransaction }),
    resumeExecution: async ({ resumeUrl, body }) => n8n.resume(resumeUrl, body),
    waitingExecutions: () => [],
    findInstance: (ref) =>
      ref.instanceId === 'dev' || ref.baseUrl?.startsWith('http://127.0.0.1:5678')
        ? { id: 'dev', baseUrl: 'http://127.0.0.1:5678' }
        : null,
    ...over,
  };
  return { ports, calls, n8n };
}

/** One approvals module on a real temp store with a manual clock. */
export function approvalsHarness(over: Partial<ApprovalPorts> = {}, options: ApprovalsModuleOptions = {}) {
  const t = testContext();
  const rec = recordingPorts(t.ctx, over);
  const module = createApprovalsModule(t.ctx, t.audit, rec.ports, options);
  const events: [string, unknown][] = [];
  t.bus.subscribe((e, p) => events.push([e, p]));
  const { db } = t.ctx.store;

  /** Inserts an executions row as the dispatch pipeline would, then calls createGate in the same write. */
  function gate(over: Partial<GateRequest> = {}) {
    return t.ctx.store.write((announce: Announce) => {
      const executionId = Number(
        db
          .prepare(
            `INSERT INTO executions (source, instance_id, workflow_id, mapping_id, status, created_at_ms, updated_at_ms)
             VALUES ('local', 'dev', 'wf1', 'm1', 'awaiting_approval', ?, ?)`,
          )
          .run(t.clock.now(), t.clock.now()).lastInsertRowid,
      );
      db.prepare(`INSERT INTO execution_bodies (id, payload_json) VALUES (?, '{}')`).run(executionId);
      return module.service.createGate(
        {
          executionId,
          mappingId: 'm1',
          instanceId: 'dev',
          workflowId: 'wf1',
          event: 'order.created',
          payload: { amount: 42 },
          priority: 5,
          expiresAtMs: null,
          expiryAction: null,
          summary: 'order.created → invoice',
          ...over,
        },
        announce,
      );
    });
  }

  /** Finished runs of dev/wf1, for history conditions. */
  function history(succeeded: number, failed: number, atMs = t.clock.now() - 3_600_000) {
    const insert = db.prepare(
      `INSERT INTO executions (source, instance_id, workflow_id, status, created_at_ms, updated_at_ms)
       VALUES ('remote', 'dev', 'wf1', ?, ?, ?)`,
    );
    for (let i = 0; i < succeeded; i++) insert.run('succeeded', atMs, atMs);
    for (let i = 0; i < failed; i++) insert.run('failed', atMs, atMs);
  }

  function wait(executionId: string | number, over: Record<string, unknown> = {}) {
    return module.service.registerWaiting({
      instanceId: 'dev',
      executionId,
      resumeUrl: `http://127.0.0.1:5678/webhook-waiting/${executionId}`,
      summary: `Refund for execution ${executionId}`,
      payload: { amount: 10 },
      ...over,
    });
  }

  const auditActions = () =>
    (db.prepare('SELECT action FROM audit_log ORDER BY id').pluck().all() as string[]).filter((a) =>
      a.startsWith('approval'),
    );

  return { ...t, ...rec, module, service: module.service, events, gate, wait, history, auditActions, db };
}

export const expectCode = (fn: () => unknown, code: string): string => {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`);
    return err.message;
  }
  throw new Error(`expected ${code}, but it succeeded`);
};

/**
 * Ports on the shared executions table alone, for tests of the approvals area without the queue
 * or n8n (the console wires dispatch/approval-ports.ts): approve marks the run 'queued', reject
 * 'rejected'; resumes fail as unreachable, so decisions on waits stay owed ('resuming').
 */
export function executionsTablePorts(store: Store, now: () => number): ApprovalPorts {
  const setStatus = store.db.prepare(
    "UPDATE executions SET status = ?, error = ?, updated_at_ms = ? WHERE id = ? AND status = 'awaiting_approval'",
  );
  const findInstance: ApprovalPorts['findInstance'] = () => null;
  return {
    releaseGate: (executionId) => void setStatus.run('queued', null, now(), executionId),
    rejectGate: (executionId, reason) => void setStatus.run('rejected', reason, now(), executionId),
    resumeExecution: () =>
      Promise.reject(new AppError('N8N_UNREACHABLE', 'No n8n client is connected yet.', { retryable: true })),
    waitingExecutions: waitingFromExecutionsTable(store, findInstance),
    findInstance,
  };
}
