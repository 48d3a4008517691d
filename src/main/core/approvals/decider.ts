import type { Approval, Decision } from '../../../shared/contract/approvals';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import { toApproval, type ApprovalRow, type ApprovalRows, type NewApproval } from './approval-rows';
import type { ApprovalPorts, ResumeBody } from './ports';
import type { RuleBook } from './rule-book';

/** Who decided and why; `rule:<id>` and `system` (expiry) are automatic. */
export interface DecisionBy {
  decision: Decision;
  decidedBy: string;
  comment: string | null;
  status: 'approved' | 'rejected' | 'expired';
  ruleId?: string;
  explanation?: string;
}

/** How items are created and decided; every function runs inside the caller's store.write. */
export function createDecider(
  ctx: CoreContext,
  audit: AuditLog,
  ports: ApprovalPorts,
  rules: RuleBook,
  rows: ApprovalRows,
) {
  const { db } = ctx.store;
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

  return { inSavepoint, applyDecision, insertAndAutoDecide };
}

export type Decider = ReturnType<typeof createDecider>;
