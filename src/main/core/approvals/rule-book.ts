import { randomUUID } from 'node:crypto';
import {
  approvalRuleInputSchema,
  type ApprovalRule,
  type ApprovalRuleFields,
} from '../../../shared/contract/approvals';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { ApprovalRow } from './approval-rows';
import { createFourEyes } from './four-eyes';
import { evaluateRule, successStats, type RuleSubject } from './rules';

const DAY_MS = 86_400_000;

interface RuleRow {
  id: string;
  position: number;
  enabled: number;
  config_json: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export const subjectOf = (r: ApprovalRow): RuleSubject => ({
  kind: r.kind,
  instanceId: r.instance_id,
  workflowId: r.workflow_id,
  mappingId: r.mapping_id,
  event: r.event,
  payload: JSON.parse(r.payload_json) as unknown,
});

/** Auto-approval rules: storage, the first rule that approves an item, and the dry run. */
export function createRuleBook(ctx: CoreContext, audit: AuditLog) {
  const { db } = ctx.store;
  const stats = successStats(db);
  const fourEyes = createFourEyes(ctx, audit);
  const all = db.prepare('SELECT * FROM approval_rules ORDER BY position, created_at_ms');
  const one = db.prepare('SELECT * FROM approval_rules WHERE id = ?');
  const approvedSince = db
    .prepare("SELECT count(*) FROM approvals WHERE rule_id = ? AND decision = 'approve' AND decided_at_ms > ?")
    .pluck();

  function parse(row: RuleRow): ApprovalRuleFields {
    const parsed = approvalRuleInputSchema.safeParse(JSON.parse(row.config_json));
    if (!parsed.success)
      throw new AppError('INTERNAL', `Rule ${row.id} is stored in a shape this version cannot read; save it again.`);
    return parsed.data;
  }

  const toRule = (row: RuleRow): ApprovalRule => ({
    id: row.id,
    rule: parse(row),
    approvedLast24h: approvedSince.get(row.id, ctx.clock.now() - DAY_MS) as number,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  });

  function list(): ApprovalRule[] {
    return (all.all() as RuleRow[]).map(toRule);
  }

  function save(id: string | undefined, rule: ApprovalRuleFields): ApprovalRule {
    const existing = id ? (one.get(id) as RuleRow | undefined) : undefined;
    if (id && !existing) throw new AppError('NOT_FOUND', `No rule with id ${id}; it may have been removed.`);
    const ruleId = id ?? randomUUID();
    const now = ctx.clock.now();
    ctx.store.write((announce) => {
      const position =
        existing?.position ??
        ((db.prepare('SELECT max(position) FROM approval_rules').pluck().get() as number | null) ?? 0) + 1;
      db.prepare(
        `INSERT INTO approval_rules (id, position, enabled, config_json, created_at_ms, updated_at_ms)
        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET enabled = excluded.enabled,
        config_json = excluded.config_json, updated_at_ms = excluded.updated_at_ms`,
      ).run(ruleId, position, rule.enabled ? 1 : 0, JSON.stringify(rule), now, now);
      audit.record(announce, {
        actor: ctx.operator(),
        action: existing ? 'approval_rule.update' : 'approval_rule.create',
        targetType: 'approval_rule',
        targetId: ruleId,
        details: { rule },
      });
      announce('approvals:configChanged', {});
    });
    return toRule(one.get(ruleId) as RuleRow);
  }

  function remove(id: string): { removed: boolean } {
    const existing = one.get(id) as RuleRow | undefined;
    if (!existing) throw new AppError('NOT_FOUND', `No rule with id ${id}; it may have been removed.`);
    ctx.store.write((announce) => {
      db.prepare('DELETE FROM approval_rules WHERE id = ?').run(id);
      audit.record(announce, {
        actor: ctx.operator(),
        action: 'approval_rule.remove',
        targetType: 'approval_rule',
        targetId: id,
        details: { name: parse(existing).name },
      });
      announce('approvals:configChanged', {});
    });
    return { removed: true };
  }

  /**
   * The first enabled rule that approves this item now, within its daily limit (a rolling 24
   * hours, counted from the decisions already committed, so it holds inside one transaction).
   */
  function firstApproving(row: ApprovalRow): { ruleId: string; explanation: string } | null {
    // Four eyes means people: an item that needs several approvers is never approved by a rule.
    if (!fourEyes.rulesMayApprove(row)) return null;
    const now = ctx.clock.now();
    const subject = subjectOf(row);
    for (const r of all.all() as RuleRow[]) {
      if (!r.enabled) continue;
      const rule = parse(r);
      const verdict = evaluateRule(rule, subject, stats, now);
      if (!verdict.applies) continue;
      if (rule.dailyLimit !== null && (approvedSince.get(r.id, now - DAY_MS) as number) >= rule.dailyLimit) continue;
      return { ruleId: r.id, explanation: `approved by rule ${rule.name}: ${verdict.explanation || 'in scope'}` };
    }
    return null;
  }

  /** What a rule would have done to the most recent `limit` decided items; writes nothing. */
  function dryRun(rule: ApprovalRuleFields, limit: number) {
    const rows = (
      db
        .prepare("SELECT * FROM approvals WHERE status != 'pending' ORDER BY created_at_ms DESC, id DESC LIMIT ?")
        .all(limit) as ApprovalRow[]
    ).reverse();
    const approvedAt: number[] = [];
    const samples: { id: number; summary: string; explanation: string; actual: 'approve' | 'reject' | null }[] = [];
    let disagreements = 0;
    for (const row of rows) {
      const verdict = evaluateRule(rule, subjectOf(row), stats, row.created_at_ms);
      if (!verdict.applies) continue;
      const inWindow = approvedAt.filter((t) => t > row.created_at_ms - DAY_MS).length;
      if (rule.dailyLimit !== null && inWindow >= rule.dailyLimit) continue;
      approvedAt.push(row.created_at_ms);
      if (row.decision === 'reject') disagreements++;
      if (samples.length < 20) {
        samples.push({ id: row.id, summary: row.summary, explanation: verdict.explanation, actual: row.decision });
      }
    }
    const wouldApprove = approvedAt.length;
    const message =
      `This rule would have approved ${wouldApprove} of ${rows.length} past decisions` +
      (disagreements ? ` (${disagreements} of them had been rejected).` : '.');
    return { total: rows.length, wouldApprove, disagreements, message, samples };
  }

  return {
    list,
    save,
    remove,
    firstApproving,
    dryRun,
    /** False when the item needs several people (four eyes): nothing automatic may approve it. */
    mayApproveAutomatically: (row: ApprovalRow) => fourEyes.rulesMayApprove(row),
  };
}

export type RuleBook = ReturnType<typeof createRuleBook>;
