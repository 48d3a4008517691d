import type Database from 'better-sqlite3';
import type { ApprovalRuleFields } from '../../../shared/contract/approvals';
import type { Condition } from '../../../shared/contract/mappings';
import { conditionHolds } from '../mappings/conditions';
import { getPath } from '../mappings/payload-path';

const DAY_MS = 86_400_000;

/** The fields of an item a rule looks at. */
export interface RuleSubject {
  kind: 'gate' | 'wait';
  instanceId: string | null;
  workflowId: string | null;
  mappingId: string | null;
  event: string | null;
  payload: unknown;
}

export type RuleVerdict = { applies: true; explanation: string } | { applies: false; reason: string };

const SYMBOL: Record<Condition['op'], string> = {
  eq: '=',
  ne: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  in: 'in',
  contains: 'contains',
  exists: 'exists',
  missing: 'missing',
};

/** `amount 42 < 100`: the actual value beside the rule's, so the explanation can be checked by eye. */
export function explainCondition(c: Condition, payload: unknown): string {
  const actual = getPath(payload, c.path);
  if (c.op === 'exists' || c.op === 'missing') return `${c.path} ${c.op}`;
  const shown = actual === undefined ? '(missing)' : JSON.stringify(actual);
  return `${c.path} ${shown} ${SYMBOL[c.op]} ${JSON.stringify(c.value)}`;
}

/** Succeeded and failed runs of one instance + workflow in [fromMs, toMs), from the shared executions table. */
export function successStats(db: Database.Database) {
  const stmt = db.prepare(`SELECT
      sum(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS ok,
      sum(CASE WHEN status IN ('failed', 'dead_lettered') THEN 1 ELSE 0 END) AS bad
    FROM executions
    WHERE instance_id = ? AND workflow_id = ? AND created_at_ms >= ? AND created_at_ms < ?`);
  return (instanceId: string, workflowId: string, fromMs: number, toMs: number) => {
    const row = stmt.get(instanceId, workflowId, fromMs, toMs) as { ok: number | null; bad: number | null };
    return { succeeded: row.ok ?? 0, failed: row.bad ?? 0 };
  };
}

export type SuccessStats = ReturnType<typeof successStats>;

const pct = (n: number) => `${Math.round(n * 10) / 10}%`;

/**
 * Whether a rule approves an item at time `atMs`, with the explanation recorded on the decision
 * ("amount 42 < 100; success rate 97% > 95%") or the first reason it does not apply.
 * The daily limit is checked by the caller, which knows how many the rule already approved.
 */
export function evaluateRule(
  rule: ApprovalRuleFields,
  subject: RuleSubject,
  stats: SuccessStats,
  atMs: number,
): RuleVerdict {
  const scope = rule.scope;
  const scoped: [keyof typeof scope, string | null][] = [
    ['kind', subject.kind],
    ['instanceId', subject.instanceId],
    ['workflowId', subject.workflowId],
    ['mappingId', subject.mappingId],
    ['event', subject.event],
  ];
  const parts: string[] = [];
  for (const [field, actual] of scoped) {
    const wanted = scope[field];
    if (wanted === undefined) continue;
    if (wanted !== actual) return { applies: false, reason: `${field} is ${actual ?? 'unknown'}, not ${wanted}` };
    parts.push(`${field} ${wanted}`);
  }
  for (const c of rule.conditions) {
    if (!conditionHolds(c, subject.payload))
      return { applies: false, reason: `not ${explainCondition(c, subject.payload)}` };
    parts.push(explainCondition(c, subject.payload));
  }
  if (rule.history) {
    const h = rule.history;
    if (!subject.instanceId || !subject.workflowId)
      return { applies: false, reason: 'the workflow is unknown, so its history is' };
    const { succeeded, failed } = stats(subject.instanceId, subject.workflowId, atMs - h.windowDays * DAY_MS, atMs);
    const runs = succeeded + failed;
    if (runs < h.minRuns) {
      return { applies: false, reason: `only ${runs} finished runs in ${h.windowDays} days (needs ${h.minRuns})` };
    }
    const rate = (succeeded / runs) * 100;
    const text = `success rate ${pct(rate)} over ${h.windowDays} days (${succeeded}/${runs})`;
    if (!(rate > h.minSuccessRatePct))
      return { applies: false, reason: `${text} is not > ${pct(h.minSuccessRatePct)}` };
    parts.push(`${text} > ${pct(h.minSuccessRatePct)}`);
  }
  return { applies: true, explanation: parts.join('; ') };
}
