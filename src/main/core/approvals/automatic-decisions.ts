import type { CoreContext } from '../context';
import type { ApprovalRow } from './approval-rows';
import type { Decider } from './decider';
import type { ApprovalPorts } from './ports';
import type { Resumer } from './resumer';
import type { RuleBook } from './rule-book';

/** Decisions nobody clicked: expiries, rules re-run over open items, and n8n's waiting executions. */
export function createAutomaticDecisions(
  ctx: CoreContext,
  decider: Decider,
  rules: RuleBook,
  ports: ApprovalPorts,
  resumer: Resumer,
) {
  const { db } = ctx.store;
  const now = () => ctx.clock.now();
  const { applyDecision, inSavepoint, insertAndAutoDecide } = decider;

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
        // Four eyes (team mode): an item that needs several people is never approved by the clock.
        const wanted = row.expiry_action ?? 'reject';
        const action = wanted === 'approve' && !rules.mayApproveAutomatically(row) ? 'reject' : wanted;
        const overruled =
          action !== wanted ? ' (it needs several approvers, so it is never approved automatically)' : '';
        const failed = inSavepoint(announce, (a) =>
          applyDecision(a, row, {
            decision: action,
            decidedBy: 'system',
            comment: null,
            status: 'expired',
            explanation: `No decision by ${new Date(row.expires_at_ms ?? 0).toISOString()}: expired and ${action === 'approve' ? 'approved' : 'rejected'} automatically${overruled}.`,
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

  /** Adds n8n's waiting executions (dispatched here, or opted in per instance) unless already in the inbox. */
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
            mappingId: w.mappingId ?? null,
            event: w.event ?? null,
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

  return { applyDueExpiries, runRules, syncWaiting };
}
