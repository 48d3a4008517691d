import { randomUUID } from 'node:crypto';
import {
  alertConditionSchema,
  type Alert,
  type AlertCounts,
  type AlertRule,
  type CallArgs,
  type CallOutput,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { Announce, Store } from '../db/store';
import type { NameDirectory } from '../alerts/names';

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
  subject_label: string | null;
  acknowledged_at_ms: number | null;
  acknowledged_by: string | null;
  /** From a join with alert_silences (a silence still running at read time), when selected. */
  silenced_until_ms?: number | null;
}

/** Alerts with the silence of their rule and subject that is still running at `@now`. */
export const ALERTS_WITH_SILENCE = `SELECT a.*, s.until_ms AS silenced_until_ms FROM alerts a
  LEFT JOIN alert_silences s ON s.rule_id = a.rule_id AND s.subject = a.subject AND s.until_ms > @now`;

const toRule = (row: RuleRow, names: NameDirectory): AlertRule => ({
  id: row.id,
  name: row.name,
  enabled: row.enabled === 1,
  cooldownMs: row.cooldown_ms,
  instanceId: row.instance_id,
  workflowId: row.workflow_id,
  instanceName: row.instance_id ? names.instance(row.instance_id) : null,
  workflowName: row.workflow_id ? names.workflow(row.instance_id, row.workflow_id) : null,
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
  subjectLabel: row.subject_label ?? row.subject,
  state: row.state,
  value: row.value,
  threshold: row.threshold,
  message: row.message,
  firedAtMs: row.fired_at_ms,
  resolvedAtMs: row.resolved_at_ms,
  acknowledgedAtMs: row.acknowledged_at_ms,
  acknowledgedBy: row.acknowledged_by,
  silencedUntilMs: row.silenced_until_ms ?? null,
});

/** Alert rules (operator-edited, audited) and the alert history. */
export function createAlertRules(
  store: Store,
  now: () => number,
  audit: AuditLog,
  operator: () => string,
  names: NameDirectory,
  /** Queues the resolve notice of an alert closed here (a deleted rule's open alerts). */
  onResolved: (announce: Announce, alert: Alert) => void = () => undefined,
) {
  const { db } = store;
  const byId = db.prepare('SELECT * FROM alert_rules WHERE id = ?');
  const all = db.prepare('SELECT * FROM alert_rules ORDER BY created_at_ms, id');
  const upsert = db.prepare(`INSERT INTO alert_rules
    (id, name, kind, params_json, instance_id, workflow_id, enabled, cooldown_ms, created_at_ms, updated_at_ms)
    VALUES (@id, @name, @kind, @params_json, @instance_id, @workflow_id, @enabled, @cooldown_ms, @created_at_ms, @updated_at_ms)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, params_json = excluded.params_json,
      instance_id = excluded.instance_id, workflow_id = excluded.workflow_id, enabled = excluded.enabled,
      cooldown_ms = excluded.cooldown_ms, updated_at_ms = excluded.updated_at_ms`);
  const openOf = db.prepare(`${ALERTS_WITH_SILENCE} WHERE a.rule_id = @ruleId AND a.state = 'open'`);
  const resolve = db.prepare("UPDATE alerts SET state = 'resolved', resolved_at_ms = ? WHERE id = ?");

  const listRules = (): AlertRule[] => (all.all() as RuleRow[]).map((row) => toRule(row, names));

  function get(id: string): AlertRule {
    const row = byId.get(id) as RuleRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No alert rule ${id}: it may have been deleted. Reload the rules.`);
    return toRule(row, names);
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
      for (const row of openOf.all({ ruleId: id, now: now() }) as AlertRow[]) {
        const at = now();
        resolve.run(at, row.id);
        const alert = toAlert({ ...row, state: 'resolved', resolved_at_ms: at });
        announce('alerts:resolved', alert);
        if (alert.silencedUntilMs === null) onResolved(announce, alert);
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
    const params: Record<string, unknown> = { limit: query.limit + 1, now: now() };
    for (const [key, sql] of [
      ['state', 'a.state = @state'],
      ['ruleId', 'a.rule_id = @ruleId'],
      ['beforeId', 'a.id < @beforeId'],
    ] as const) {
      if (query[key] === undefined) continue;
      filters.push(sql);
      params[key] = query[key];
    }
    const rows = db
      .prepare(
        `${ALERTS_WITH_SILENCE} ${filters.length ? 'WHERE ' + filters.join(' AND ') : ''} ORDER BY a.id DESC LIMIT @limit`,
      )
      .all(params) as AlertRow[];
    const page = rows.slice(0, query.limit);
    return { alerts: page.map(toAlert), nextBeforeId: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }

  const alertById = db.prepare(`${ALERTS_WITH_SILENCE} WHERE a.id = @id`);
  function alert(id: number): AlertRow {
    const row = alertById.get({ id, now: now() }) as AlertRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No alert ${id}: retention may have removed it. Reload the alerts.`);
    return row;
  }

  const countOpen = db.prepare(
    `SELECT COUNT(*) AS open,
         coalesce(SUM(silenced_until_ms IS NULL AND acknowledged_at_ms IS NULL), 0) AS unacknowledged,
         coalesce(SUM(silenced_until_ms IS NOT NULL), 0) AS silenced
       FROM (${ALERTS_WITH_SILENCE} WHERE a.state = 'open')`,
  );
  const counts = (): AlertCounts => countOpen.get({ now: now() }) as AlertCounts;

  const ack = db.prepare('UPDATE alerts SET acknowledged_at_ms = ?, acknowledged_by = ? WHERE id = ?');
  const putSilence = db.prepare(`INSERT INTO alert_silences (rule_id, subject, until_ms, set_by, set_at_ms)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id, subject) DO UPDATE SET until_ms = excluded.until_ms,
    set_by = excluded.set_by, set_at_ms = excluded.set_at_ms`);
  const dropSilence = db.prepare('DELETE FROM alert_silences WHERE rule_id = ? AND subject = ?');

  /** One operator action on an alert: audited, announced, the alert re-read. */
  function act(id: number, action: string, change: (row: AlertRow, at: number) => Record<string, unknown>): Alert {
    return store.write((announce) => {
      const row = alert(id);
      const details = change(row, now());
      const after = toAlert(alert(id));
      audit.record(announce, {
        actor: operator(),
        action,
        targetType: 'alert',
        targetId: String(id),
        details: { rule: row.rule_name, subject: after.subjectLabel, ...details },
      });
      announce('alerts:changed', after);
      return after;
    });
  }

  /** Only an open alert can be acknowledged: a resolved one needs no attention. */
  const acknowledge = ({ id }: CallArgs<'alerts:acknowledge'>): Alert =>
    act(id, 'alert.acknowledge', (row, at) => {
      if (row.state !== 'open')
        throw new AppError('CONFLICT', `Alert ${id} is already resolved: there is nothing to acknowledge.`);
      if (row.acknowledged_at_ms === null) ack.run(at, operator(), id);
      return {};
    });

  const silence = ({ id, forMs }: CallArgs<'alerts:silence'>): Alert =>
    act(id, 'alert.silence', (row, at) => {
      putSilence.run(row.rule_id, row.subject, at + forMs, operator(), at);
      return { untilMs: at + forMs };
    });

  const unsilence = ({ id }: CallArgs<'alerts:unsilence'>): Alert =>
    act(id, 'alert.unsilence', (row) => {
      dropSilence.run(row.rule_id, row.subject);
      return {};
    });

  return { listRules, get, create, update, remove, listAlerts, counts, acknowledge, silence, unsilence };
}

export type AlertRules = ReturnType<typeof createAlertRules>;
