import type { Approval, ApprovalFilter, Decision } from '../../../shared/contract/approvals';
import { HIGH_PRIORITY_MAX } from '../../../shared/contract/approvals';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import { describeIssues } from '../invoke';
import { approvalRows, toApproval, type ApprovalRow, type NewApproval } from './approval-rows';
import type { ApprovalPorts, GateRequest, ResumeBody } from './ports';
import type { Resumer } from './resumer';
import type { RuleBook } from './rule-book';
import { waitRegistrationSchema } from './wait-registration';

/** Who decided and why; `rule:<id>` and `system` (expiry) are automatic. */
interface DecisionBy {
  decision: Decision;
  decidedBy: string;
  comment: string | null;
  status: 'approved' | 'rejected' | 'expired';
  ruleId?: string;
  explanation?: string;
}

type ItemResult = { id: number; ok: boolean; error?: { code: string; message: string } };

export function createApprovalService(
  ctx: CoreContext,
  audit: AuditLog,
  ports: ApprovalPorts,
  rules: RuleBook,
  resumer: Resumer,
) {
  const { db } = ctx.store;
  const rows = approvalRows(db);
  const now = () => ctx.clock.now();

  /**
   * Runs one item's writes in a savepoint inside the caller's transaction: a failure rolls back
   * that item only, and the events it announced are dropped with it. Returns the failure.
   */
  function inSavepoint(announce: Announce, fn: (announce: Announce) => void): AppError | null {
    const pending: [string, unknown][] = [];
    const itemAnnounce: Announce = (event, payload) => void pending.push([event, payload]);
    try {
      db.transaction(() => fn(itemAnnounce))();
    } catch (error) {
      if (error instanceof AppError) return error;
      ctx.logger.error('An approval write failed', { error });
      return new AppError('INTERNAL', `Something went wrong: ${(error as Error).message}. Details are in the log.`);
    }
    for (const [event, payload] of pending) announce(event as never, payload as never);
    return null;
  }

  /** The one place an item is decided (person, rule, expiry); must run inside store.write. */
  function applyDecision(announce: Announce, row: ApprovalRow, by: DecisionBy): void {
    const t = now();
    const resumeBody: ResumeBody | null =
      row.kind === 'wait'
        ? {
            approved: by.decision === 'approve',
            comment: by.comment ?? by.explanation ?? null,
            decidedBy: by.decidedBy,
          }
        : null;
    const changed = rows.decide({
      id: row.id,
      status: by.status,
      decision: by.decision,
      decidedBy: by.decidedBy,
      comment: by.comment,
      ruleId: by.ruleId ?? null,
      explanation: by.explanation ?? null,
      resumeBody: resumeBody ? JSON.stringify(resumeBody) : null,
      now: t,
    });
    if (!changed) throw new AppError('CONFLICT', `Approval ${row.id} was already decided; refresh the inbox.`);
    if (row.kind === 'gate' && row.execution_id !== null) {
      if (by.decision === 'approve') ports.releaseGate(row.execution_id, by.decidedBy);
      else ports.rejectGate(row.execution_id, by.comment ?? by.explanation ?? 'Rejected');
    }
    if (by.comment) {
      db.prepare('INSERT INTO approval_comments (approval_id, at_ms, author, body) VALUES (?, ?, ?, ?)').run(
        row.id,
        t,
        by.decidedBy,
        by.comment,
      );
    }
    audit.record(announce, {
      actor: by.decidedBy,
      action: by.status === 'expired' ? 'approval.expire' : `approval.${by.decision}`,
      targetType: 'approval',
      targetId: String(row.id),
      reason: by.comment ?? by.explanation ?? null,
      details: {
        kind: row.kind,
        decision: by.decision,
        ruleId: by.ruleId ?? null,
        summary: row.summary,
        executionId: row.execution_id,
        remoteExecutionId: row.remote_execution_id,
        instanceId: row.instance_id,
      },
    });
    announce('approvals:changed', { ids: [row.id] });
  }

  /** Inserts an item, lets the rules decide it, announces it; inside the caller's transaction. */
  function insertAndAutoDecide(announce: Announce, item: NewApproval, actor: string): Approval {
    const id = rows.insert(item, now());
    audit.record(announce, {
      actor,
      action: 'approval.create',
      targetType: 'approval',
      targetId: String(id),
      details: {
        kind: item.kind,
        summary: item.summary,
        executionId: item.executionId,
        remoteExecutionId: item.remoteExecutionId,
      },
    });
    const row = rows.get(id);
    const auto = rules.firstApproving(row);
    if (auto) {
      applyDecision(announce, row, {
        decision: 'approve',
        decidedBy: `rule:${auto.ruleId}`,
        comment: null,
        status: 'approved',
        ruleId: auto.ruleId,
        explanation: auto.explanation,
      });
    } else {
      announce('approvals:changed', { ids: [id] });
      announce('approvals:arrived', { items: [{ id, summary: item.summary, priority: item.priority }] });
    }
    return toApproval(rows.get(id));
  }

  /**
   * Called by the dispatch pipeline inside its emit transaction, after it inserted the
   * executions row with status 'awaiting_approval'. Synchronous; a matching rule may approve at
   * once (then `releaseGate` runs in this same transaction).
   */
  function createGate(request: GateRequest, announce: Announce): Approval {
    return insertAndAutoDecide(
      announce,
      {
        kind: 'gate',
        executionId: request.executionId,
        remoteExecutionId: null,
        instanceId: request.instanceId,
        workflowId: request.workflowId,
        mappingId: request.mappingId,
        event: request.event,
        resumeUrl: null,
        summary: request.summary,
        payload: request.payload,
        priority: request.priority,
        dueAtMs: null,
        expiresAtMs: request.expiresAtMs,
        expiryAction: request.expiresAtMs === null ? null : request.expiryAction,
      },
      'dispatch',
    );
  }

  /** A workflow paused on a Wait node registers itself (HTTP POST /approvals). Idempotent per execution. */
  function registerWaiting(input: unknown): { approval: Approval; created: boolean } {
    const parsed = waitRegistrationSchema.safeParse(input);
    if (!parsed.success) throw new AppError('VALIDATION', describeIssues('the approval registration', parsed.error));
    const r = parsed.data;
    const instance = ports.findInstance({
      ...(r.instanceId ? { instanceId: r.instanceId } : {}),
      ...(r.instanceUrl ? { baseUrl: r.instanceUrl } : {}),
    });
    if (!instance) {
      throw new AppError(
        'VALIDATION',
        `Unknown n8n instance ${r.instanceId ?? r.instanceUrl}: add it under Instances first.`,
      );
    }
    if (new URL(r.resumeUrl).origin !== new URL(instance.baseUrl).origin) {
      throw new AppError(
        'VALIDATION',
        `resumeUrl must be on the instance's own address (${new URL(instance.baseUrl).origin}).`,
      );
    }
    const existing = db
      .prepare("SELECT id FROM approvals WHERE kind = 'wait' AND instance_id = ? AND remote_execution_id = ?")
      .pluck()
      .get(instance.id, r.executionId) as number | undefined;
    if (existing !== undefined) return { approval: toApproval(rows.get(existing)), created: false };
    const local = db
      .prepare('SELECT id FROM executions WHERE instance_id = ? AND remote_id = ?')
      .pluck()
      .get(instance.id, r.executionId) as number | undefined;
    const approval = ctx.store.write((announce) =>
      insertAndAutoDecide(
        announce,
        {
          kind: 'wait',
          executionId: local ?? null,
          remoteExecutionId: r.executionId,
          instanceId: instance.id,
          workflowId: r.workflowId ?? null,
          mappingId: null,
          event: null,
          resumeUrl: r.resumeUrl,
          summary: r.summary,
          payload: r.payload ?? null,
          priority: r.priority,
          dueAtMs: r.dueAtMs ?? null,
          expiresAtMs: r.expiry ? now() + r.expiry.afterMs : null,
          expiryAction: r.expiry?.action ?? null,
        },
        'n8n',
      ),
    );
    if (approval.resumeState === 'resuming') resumer.kick();
    return { approval, created: true };
  }

  /** Refuses with NOT_FOUND, CONFLICT or VALIDATION before anything is written. */
  function checkDecision(id: number, decision: Decision, comment: string | undefined): ApprovalRow {
    const row = rows.get(id);
    if (row.status !== 'pending') {
      throw new AppError(
        'CONFLICT',
        `Approval ${id} was already ${row.status} by ${row.decided_by ?? 'someone'}; nothing changed.`,
      );
    }
    if (decision === 'reject' && !comment?.trim()) {
      throw new AppError('VALIDATION', 'Say why you reject: a comment is required on reject.');
    }
    return row;
  }

  function decide(id: number, decision: Decision, comment?: string): Approval {
    const row = checkDecision(id, decision, comment);
    const by = {
      decision,
      decidedBy: ctx.operator(),
      comment: comment?.trim() || null,
      status: decision === 'approve' ? 'approved' : 'rejected',
    } as const;
    ctx.store.write((announce) => applyDecision(announce, rows.get(row.id), by));
    if (row.kind === 'wait') resumer.kick();
    return toApproval(rows.get(id));
  }

  /**
   * Decides each item in its own savepoint inside one transaction: a refused item rolls back
   * only itself, and its events are dropped with it.
   */
  function decideMany(ids: number[], decision: Decision, comment?: string) {
    if (decision === 'reject' && !comment?.trim()) {
      throw new AppError('VALIDATION', 'Say why you reject: a comment is required on reject.');
    }
    const results: ItemResult[] = [];
    const decidedBy = ctx.operator();
    const status = decision === 'approve' ? 'approved' : 'rejected';
    let waits = 0;
    ctx.store.write((announce) => {
      for (const id of [...new Set(ids)]) {
        const failed = inSavepoint(announce, (a) => {
          const row = checkDecision(id, decision, comment);
          applyDecision(a, row, { decision, decidedBy, comment: comment?.trim() || null, status });
          if (row.kind === 'wait') waits++;
        });
        results.push(
          failed ? { id, ok: false, error: { code: failed.code, message: failed.message } } : { id, ok: true },
        );
      }
    });
    if (waits) resumer.kick();
    const decided = results.filter((r) => r.ok).length;
    return { decided, refused: results.length - decided, results };
  }

  function claim(id: number, assignee: string | null | undefined): Approval {
    const row = rows.get(id);
    if (row.status !== 'pending')
      throw new AppError('CONFLICT', `Approval ${id} is already ${row.status}; only open items can be claimed.`);
    const me = ctx.operator();
    const next = assignee === undefined ? me : assignee;
    if (assignee === undefined && row.assignee && row.assignee !== me) {
      throw new AppError(
        'CONFLICT',
        `${row.assignee} has claimed approval ${id}; ask them, or reassign it explicitly.`,
      );
    }
    ctx.store.write((announce) => {
      db.prepare('UPDATE approvals SET assignee = ?, claimed_at_ms = ?, updated_at_ms = ? WHERE id = ?').run(
        next,
        next ? now() : null,
        now(),
        id,
      );
      audit.record(announce, {
        actor: me,
        action: next ? 'approval.claim' : 'approval.release',
        targetType: 'approval',
        targetId: String(id),
        details: { assignee: next, previous: row.assignee },
      });
      announce('approvals:changed', { ids: [id] });
    });
    return toApproval(rows.get(id));
  }

  function comment(id: number, body: string) {
    rows.get(id);
    const author = ctx.operator();
    const atMs = now();
    return ctx.store.write((announce) => {
      const commentId = Number(
        db
          .prepare('INSERT INTO approval_comments (approval_id, at_ms, author, body) VALUES (?, ?, ?, ?)')
          .run(id, atMs, author, body).lastInsertRowid,
      );
      audit.record(announce, {
        actor: author,
        action: 'approval.comment',
        targetType: 'approval',
        targetId: String(id),
        reason: body,
      });
      announce('approvals:changed', { ids: [id] });
      return { id: commentId, atMs, author, body };
    });
  }

  /** Takes each due item's expiry action; at start this catches what expired while the app was closed. */
  function applyDueExpiries(): number[] {
    const due = db
      .prepare(
        "SELECT * FROM approvals WHERE status = 'pending' AND expires_at_ms IS NOT NULL AND expires_at_ms <= ? ORDER BY expires_at_ms, id",
      )
      .all(now()) as ApprovalRow[];
    if (due.length === 0) return [];
    const expired: number[] = [];
    ctx.store.write((announce) => {
      for (const row of due) {
        const action = row.expiry_action ?? 'reject';
        const failed = inSavepoint(announce, (a) =>
          applyDecision(a, row, {
            decision: action,
            decidedBy: 'system',
            comment: null,
            status: 'expired',
            explanation: `No decision by ${new Date(row.expires_at_ms ?? 0).toISOString()}: expired and ${action === 'approve' ? 'approved' : 'rejected'} automatically.`,
          }),
        );
        if (failed) ctx.logger.error('Could not apply an expiry; will retry', { id: row.id, error: failed.message });
        else expired.push(row.id);
      }
      announce('approvals:expired', { ids: expired });
    });
    if (due.some((r) => r.kind === 'wait')) resumer.kick();
    return expired;
  }

  /** Applies the enabled rules to every pending item (after a rule was added or changed). */
  function runRules(): { approved: number; checked: number } {
    const pending = db
      .prepare("SELECT * FROM approvals WHERE status = 'pending' ORDER BY created_at_ms, id")
      .all() as ApprovalRow[];
    let approved = 0;
    ctx.store.write((announce) => {
      for (const row of pending) {
        const auto = rules.firstApproving(row);
        if (!auto) continue;
        applyDecision(announce, row, {
          decision: 'approve',
          decidedBy: `rule:${auto.ruleId}`,
          comment: null,
          status: 'approved',
          ruleId: auto.ruleId,
          explanation: auto.explanation,
        });
        approved++;
      }
    });
    if (approved) resumer.kick();
    return { approved, checked: pending.length };
  }

  /** Adds executions Flightdeck dispatched that n8n reports waiting, unless already in the inbox. */
  async function syncWaiting(): Promise<number> {
    const waiting = await ports.waitingExecutions();
    let added = 0;
    for (const w of waiting) {
      const known = db
        .prepare("SELECT 1 FROM approvals WHERE kind = 'wait' AND instance_id = ? AND remote_execution_id = ?")
        .get(w.instanceId, w.remoteExecutionId);
      if (known) continue;
      ctx.store.write((announce) =>
        insertAndAutoDecide(
          announce,
          {
            kind: 'wait',
            executionId: w.executionId,
            remoteExecutionId: w.remoteExecutionId,
            instanceId: w.instanceId,
            workflowId: w.workflowId,
            mappingId: null,
            event: null,
            resumeUrl: w.resumeUrl,
            summary: w.summary,
            payload: w.payload ?? null,
            priority: 5,
            dueAtMs: null,
            expiresAtMs: null,
            expiryAction: null,
          },
          'sync',
        ),
      );
      added++;
    }
    if (added) resumer.kick();
    return added;
  }

  function count() {
    const row = db
      .prepare(
        `SELECT count(*) AS pending, sum(CASE WHEN priority <= ${HIGH_PRIORITY_MAX} THEN 1 ELSE 0 END) AS high FROM approvals WHERE status = 'pending'`,
      )
      .get() as { pending: number; high: number | null };
    return { pending: row.pending, high: row.high ?? 0 };
  }

  function expiredNotice() {
    const list = db
      .prepare(
        "SELECT * FROM approvals WHERE status = 'expired' AND expiry_seen = 0 ORDER BY decided_at_ms DESC LIMIT 500",
      )
      .all() as ApprovalRow[];
    return { items: list.map(toApproval) };
  }

  function acknowledgeExpired(ids: number[]) {
    const stmt = db.prepare(
      "UPDATE approvals SET expiry_seen = 1 WHERE id = ? AND status = 'expired' AND expiry_seen = 0",
    );
    const acknowledged = ctx.store.write((announce) => {
      const n = ids.reduce((sum, id) => sum + stmt.run(id).changes, 0);
      if (n) announce('approvals:changed', { ids });
      return n;
    });
    return { acknowledged };
  }

  return {
    createGate,
    registerWaiting,
    decide,
    decideMany,
    claim,
    comment,
    applyDueExpiries,
    runRules,
    syncWaiting,
    count,
    expiredNotice,
    acknowledgeExpired,
    list: (filter: ApprovalFilter, limit: number) => rows.list(filter, ctx.operator(), now(), limit),
    rows,
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
