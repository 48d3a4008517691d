import type { ApprovalDetail } from '../../../shared/contract/approvals';
import { approvalPolicySchema, type ApprovalPolicy } from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import type { ApprovalRow } from './approval-rows';

const SINGLE: ApprovalPolicy = { approvers: 1, requesterMayApprove: true };
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Four eyes on approvals, per mapping, in team mode: "requires N approvers" (N different people;
 * the item stays pending until the Nth approves; one reject rejects) and "the requester of a run
 * cannot approve it" (requester: who emitted or retried the run, kept on the run). The mapping's
 * current policy applies when a person decides. With one operator (no team mode) neither applies:
 * one person cannot be two.
 */
export function createFourEyes(ctx: CoreContext, audit: AuditLog) {
  const { db } = ctx.store;
  const mappingConfig = db.prepare('SELECT config_json FROM mappings WHERE id = ?').pluck();
  const requesterOf = db.prepare('SELECT requested_by FROM executions WHERE id = ?').pluck();
  const votesOf = db.prepare(
    'SELECT voter AS "by", at_ms AS atMs FROM approval_votes WHERE approval_id = ? ORDER BY at_ms, voter',
  );
  const insertVote = db.prepare(
    'INSERT OR IGNORE INTO approval_votes (approval_id, voter, at_ms, comment) VALUES (?, ?, ?, ?)',
  );

  function policyOf(row: ApprovalRow): ApprovalPolicy {
    if (!ctx.teamMode?.() || !row.mapping_id) return SINGLE;
    const json = mappingConfig.get(row.mapping_id) as string | undefined;
    if (!json) return SINGLE;
    try {
      const parsed = approvalPolicySchema.safeParse(
        (JSON.parse(json) as { approvalPolicy?: unknown }).approvalPolicy ?? {},
      );
      return parsed.success ? parsed.data : SINGLE;
    } catch {
      // config_json is written by the mappings area after validation; unreadable means no policy.
      return SINGLE;
    }
  }

  const requester = (row: ApprovalRow): string | null =>
    row.execution_id === null ? null : ((requesterOf.get(row.execution_id) as string | null | undefined) ?? null);

  /**
   * A person approves `row`: refuses the requester where the policy says so, and one person
   * twice. Returns true when this approval completes the quorum (the caller then decides the
   * item); false when it was recorded and more approvers are needed. Runs inside the caller's write.
   */
  function approve(announce: Announce, row: ApprovalRow, who: string, comment: string | null): boolean {
    const policy = policyOf(row);
    const asker = requester(row);
    if (!policy.requesterMayApprove && asker !== null && same(asker, who)) {
      throw new AppError(
        'FORBIDDEN',
        `You asked for this run (${row.summary}), so someone else must approve it. You may still reject it.`,
      );
    }
    if (policy.approvers <= 1) return true;
    const given = votesOf.all(row.id) as { by: string; atMs: number }[];
    if (given.some((v) => same(v.by, who))) {
      throw new AppError(
        'CONFLICT',
        `You approved this item already; it needs ${policy.approvers - given.length} more approver(s), other people.`,
      );
    }
    insertVote.run(row.id, who, ctx.clock.now(), comment);
    const count = given.length + 1;
    if (count >= policy.approvers) return true;
    audit.record(announce, {
      actor: who,
      action: 'approval.vote',
      targetType: 'approval',
      targetId: String(row.id),
      reason: comment,
      details: { approvals: count, required: policy.approvers, summary: row.summary },
    });
    announce('approvals:changed', { ids: [row.id] });
    return false;
  }

  return {
    approve,
    /** True when rules may approve this item on their own (a single approver is enough). */
    rulesMayApprove: (row: ApprovalRow) => policyOf(row).approvers <= 1,
    describe(row: ApprovalRow): NonNullable<ApprovalDetail['quorum']> {
      const policy = policyOf(row);
      return {
        required: policy.approvers,
        approvals: votesOf.all(row.id) as { by: string; atMs: number }[],
        requestedBy: requester(row),
        requesterMayApprove: policy.requesterMayApprove,
      };
    },
  };
}

export type FourEyes = ReturnType<typeof createFourEyes>;
