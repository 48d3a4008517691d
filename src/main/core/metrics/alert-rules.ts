import { randomUUID } from 'node:crypto';
import {
  alertConditionSchema,
  type Alert,
  type AlertRule,
  type CallArgs,
  type CallOutput,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { Store } from '../db/store';

interface RuleRow {
  id: string;
  name: string;
  kind: string;
  params_json: string;
  instance_id: string | null;
  workflow_id: string | null;
  enabled: number;
  cooldown_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface AlertRow {
  id: number;
  rule_id: string;
  rule_name: string;
  kind: string;
  subject: string;
  state: 'open' | 'resolved';
  value: number | null;
  threshold: number | null;
  message: string;
  fired_at_ms: number;
  resolved_at_ms: number | null;
}

const toRule = (row: RuleRow): AlertRule => ({
  id: row.id,
  name: row.name,
  enabled: row.enabled === 1,
  cooldownMs: row.cooldown_ms,
  instanceId: row.instance_id,
  workflowId: row.workflow_id,
  // Stored by this module from a validated condition; parsing again keeps the type honest.
  condition: alertConditionSchema.parse({ kind: row.kind, ...(JSON.parse(row.params_json) as object) }),
  createdAtMs: row.created_at_ms,
  updatedAtMs: row.updated_at_ms,
});

export const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  ruleId: row.rule_id,
  ruleName: row.rule_name,
  kind: row.kind,
  subject: row.subject,
  state: row.state,
  value: row.value,
  threshold: row.threshold,
  message: row.message,
  firedAtMs: row.fired_at_ms,
  resolvedAtMs: row.resolved_at_ms,
});

/** Alert rules (operator-edited, audited) and the alert history. */
export function createAlertRules(store: Store, now: () => number, audit: AuditLog, operator: () => string) {
  const { db } = store;
  const byId = db.prepare('SELECT * FROM alert_rules WHERE id = ?');
  const all = db.prepare('SELECT * FROM alert_rules ORDER BY created_at_ms, id');
  const upsert = db.prepare(`INSERT INTO alert_rules
    (id, name, kind, params_json, instance_id, workflow_id, enabled, cooldown_ms, created_at_ms, updated_at_ms)
    VALUES (@id, @name, @kind, @params_json, @instance_id, @workflow_id, @enabled, @cooldown_ms, @created_at_ms, @updated_at_ms)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, params_json = excluded.params_json,
      instance_id = excluded.instance_id, workflow_id = excluded.workflow_id, enabled = excluded.enabled,
      cooldown_ms = excluded.cooldown_ms, updated_at_ms = excluded.updated_at_ms`);
  const openOf = db.prepare("SELECT * FROM alerts WHERE rule_id = ? AND state = 'open'");
  const resolve = db.prepare("UPDATE alerts SET state = 'resolved', resolved_at_ms = ? WHERE id = ?");

  const listRules = (): AlertRule[] => (all.all() as RuleRow[]).map(toRule);

  function get(id: string): AlertRule {
    const row = byId.get(id) as RuleRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No alert rule ${id}: it may have been deleted. Reload the rules.`);
    return toRule(row);
  }

  function save(id: string, rule: CallArgs<'alerts:createRule'>['rule'], createdAtMs: number): AlertRule {
    const { kind, ...params } = rule.condition;
    const at = now();
    upsert.run({
      id,
      name: rule.name,
      kind,
      params_json: JSON.stringify(params),
      instance_id: rule.instanceId,
      workflow_id: rule.workflowId,
      enabled: rule.enabled ? 1 : 0,
      cooldown_ms: rule.cooldownMs,
      created_at_ms: createdAtMs,
      updated_at_ms: at,
    });
    return get(id);
  }

  function create({ rule }: CallArgs<'alerts:createRule'>): AlertRule {
    return store.write((announce) => {
      const saved = save(randomUUID(), rule, now());
      audit.record(announce, {
        actor: operator(),
        action: 'alert_rule.create',
        targetType: 'alert_rule',
        targetId: saved.id,
        details: { rule: { ...saved } },
      });
      return saved;
    });
  }

  function update({ id, rule }: CallArgs<'alerts:updateRule'>): AlertRule {
    return store.write((announce) => {
      const before = get(id);
      const saved = save(id, rule, before.createdAtMs);
      audit.record(announce, {
        actor: operator(),
        action: 'alert_rule.update',
        targetType: 'alert_rule',
        targetId: id,
        details: { before: { ...before }, after: { ...saved } },
      });
      return saved;
    });
  }

  /** Deletes the rule and resolves its open alerts; their history stays. */
  function remove({ id }: CallArgs<'alerts:deleteRule'>): { deleted: true } {
    return store.write((announce) => {
      const before = get(id);
      for (const row of openOf.all(id) as AlertRow[]) {
        const at = now();
        resolve.run(at, row.id);
        announce('alerts:resolved', toAlert({ ...row, state: 'resolved', resolved_at_ms: at }));
      }
      db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id);
      audit.record(announce, {
        actor: operator(),
        action: 'alert_rule.delete',
        targetType: 'alert_rule',
        targetId: id,
        details: { rule: { ...before } },
      });
      return { deleted: true as const };
    });
  }

  function listAlerts(query: CallArgs<'alerts:list'>): CallOutput<'alerts:list'> {
    const filters: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit + 1 };
    for (const [key, sql] of [
      ['state', 'state = @state'],
      ['ruleId', 'rule_id = @ruleId'],
      ['beforeId', 'id < @beforeId'],
    ] as const) {
      if (query[key] === undefined) continue;
      filters.push(sql);
      params[key] = query[key];
    }
    const rows = db
      .prepare(
        `SELECT * FROM alerts ${filters.length ? 'WHERE ' + filters.join(' AND ') : ''} ORDER BY id DESC LIMIT @limit`,
      )
      .all(params) as AlertRow[];
    const page = rows.slice(0, query.limit);
    return { alerts: page.map(toAlert), nextBeforeId: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }

  return { listRules, get, create, update, remove, listAlerts };
}

export type AlertRules = ReturnType<typeof createAlertRules>;
