import type { Approval, ApprovalFilter, Decision } from '../../../shared/contract/approvals';
import { HIGH_PRIORITY_MAX } from '../../../shared/contract/approvals';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import { describeIssues } from '../invoke';
import { roleAtLeast } from '../../../shared/contract/auth';
import { allowedOf, approvalRows, toApproval, type ApprovalRow } from './approval-rows';
import type { ApprovalPorts, GateRequest } from './ports';
import type { Resumer } from './resumer';
import type { RuleBook } from './rule-book';
import { describeAddresses, isOnInstance, onSavedAddress } from './instance-urls';
import { waitRegistrationSchema } from './wait-registration';
import { createAutomaticDecisions } from './automatic-decisions';
import { createDecider, type DecisionBy } from './decider';
import { createFourEyes } from './four-eyes';

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

  const decider = createDecider(ctx, audit, ports, rules, rows);
  const { applyDecision, inSavepoint, insertAndAutoDecide } = decider;
  const automatic = createAutomaticDecisions(ctx, decider, rules, ports, resumer);
  const fourEyes = createFourEyes(ctx, audit);

  /**
   * In team mode a wait registered with allowed approvers or a role is decided only by those
   * users or accounts with at least that role; anyone else is refused, nothing changes.
   */
  function checkAllowed(row: ApprovalRow): void {
    const allowed = allowedOf(row.allowed_json);
    if (!allowed || !ctx.teamMode?.()) return;
    const who = ctx.operator();
    const role = ctx.callerRole?.() ?? null;
    const byName = allowed.users.some((u) => u.toLowerCase() === who.toLowerCase());
    const byRole = allowed.role !== null && role !== null && roleAtLeast(role, allowed.role);
    if (byName || byRole) return;
    const names = allowed.users.join(', ');
    const whom = [names, allowed.role ? `accounts with the ${allowed.role} role or higher` : '']
      .filter(Boolean)
      .join(', or ');
    throw new AppError(
      'FORBIDDEN',
      `Only ${whom} may decide "${row.summary}" (the workflow that asked for it says so); you are ${who}${role ? ` (${role})` : ''}. Nothing changed.`,
    );
  }

  /** A person's decision: an approval first passes the mapping's four-eyes policy (team mode). */
  function personDecides(announce: Announce, row: ApprovalRow, by: DecisionBy): void {
    checkAllowed(row);
    if (by.decision === 'approve' && !fourEyes.approve(announce, row, by.decidedBy, by.comment)) return;
    applyDecision(announce, row, by);
  }

  /**
   * Called by the dispatch pipeline inside its emit transaction, after it inserted the
   * executions row with status 'awaiting_approval'. Synchronous; a matching rule may approve at
   * once (then `releaseGate` runs in this same transaction). Pass the caller's `announce`; without
   * it the item is written in a nested store.write, which joins the caller's transaction where
   * the store supports nested writes.
   */
  function createGate(request: GateRequest, announce?: Announce): Approval {
    if (!announce) return ctx.store.write((a) => createGate(request, a));
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
    if (!isOnInstance(instance, r.resumeUrl)) {
      throw new AppError(
        'VALIDATION',
        `resumeUrl must be on the instance's own address (${describeAddresses(instance)}; localhost and 127.0.0.1 count as one). If n8n's WEBHOOK_URL is another address, enter it as the instance's public webhook URL.`,
      );
    }
    if (!new URL(r.resumeUrl).pathname.split('/').includes(encodeURIComponent(r.executionId))) {
      throw new AppError('VALIDATION', `resumeUrl must name execution ${r.executionId} ($execution.resumeUrl does).`);
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
          resumeUrl: onSavedAddress(instance, r.resumeUrl),
          summary: r.summary,
          payload: r.payload ?? null,
          priority: r.priority,
          dueAtMs: r.dueAtMs ?? null,
          expiresAtMs: r.expiry ? now() + r.expiry.afterMs : null,
          expiryAction: r.expiry?.action ?? null,
          source: r.source ?? null,
          description: r.description || null,
          fields: r.fields ?? null,
          allowed: r.allowed ?? null,
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
    ctx.store.write((announce) => personDecides(announce, rows.get(row.id), by));
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
      // One 'approvals:changed' for the whole batch instead of one per item (windows reload once).
      const batchAnnounce: Announce = (event, payload) => {
        if (event !== 'approvals:changed') announce(event, payload);
      };
      for (const id of [...new Set(ids)]) {
        const failed = inSavepoint(batchAnnounce, (a) => {
          const row = checkDecision(id, decision, comment);
          personDecides(a, row, { decision, decidedBy, comment: comment?.trim() || null, status });
          if (row.kind === 'wait') waits++;
        });
        results.push(
          failed ? { id, ok: false, error: { code: failed.code, message: failed.message } } : { id, ok: true },
        );
      }
      const decidedIds = results.filter((r) => r.ok).map((r) => r.id);
      if (decidedIds.length) announce('approvals:changed', { ids: decidedIds });
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

  /** Creation → decision, ms, of the items decided in [fromMs, toMs) (for metrics). */
  function decisionTimes(fromMs: number, toMs: number): number[] {
    return db
      .prepare('SELECT decided_at_ms - created_at_ms FROM approvals WHERE decided_at_ms >= ? AND decided_at_ms < ?')
      .pluck()
      .all(fromMs, toMs) as number[];
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
    ...automatic,
    count,
    decisionTimes,
    expiredNotice,
    acknowledgeExpired,
    list: (filter: ApprovalFilter, limit: number) => rows.list(filter, ctx.operator(), now(), limit),
    /** The four-eyes state of an item (approvals given, needed, requester). */
    quorum: (id: number) => fourEyes.describe(rows.get(id)),
    rows,
  };
}

export type ApprovalService = ReturnType<typeof createApprovalService>;
