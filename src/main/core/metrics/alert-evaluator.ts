import { alertKind, type Alert, type AlertRule } from '../../../shared/contract';
import { judgeRule, type EvaluationSources, type Verdict } from '../alerts/evaluators';
import type { Announce, Store } from '../db/store';
import { ALERTS_WITH_SILENCE, toAlert, type AlertRow, type AlertRules } from './alert-rules';
import type { MonitoringLog } from './monitoring-log';

export type { InstanceHealth } from '../alerts/evaluators';

/**
 * Evaluates every rule on the injected clock. One open alert per rule and subject at most
 * (also enforced by a unique index); after a resolve the same rule and subject stay quiet for
 * the rule's cooldown. Rules whose data source is not wired (no queue, no instances module)
 * are skipped, not judged healthy. Each kind's judging lives in src/main/core/alerts/evaluators.ts.
 *
 * An alert whose rule and subject are silenced is still recorded (the history is complete) but
 * notifies nobody: no webhook notice, and its event carries `silencedUntilMs` so windows and the
 * desktop stay quiet.
 */
export function createAlertEvaluator(deps: {
  store: Store;
  now: () => number;
  rules: AlertRules;
  sources: EvaluationSources;
  monitor: MonitoringLog;
  /** Queues a webhook notice inside the same write (the outbox). */
  notify?: (announce: Announce, alert: Alert, event: 'fired' | 'resolved') => void;
}) {
  const { db } = deps.store;
  const openAlerts = db.prepare(`${ALERTS_WITH_SILENCE} WHERE a.rule_id = @ruleId AND a.state = 'open'`);
  const lastResolved = db
    .prepare("SELECT MAX(resolved_at_ms) FROM alerts WHERE rule_id = ? AND subject = ? AND state = 'resolved'")
    .pluck();
  const silencedUntil = db
    .prepare('SELECT until_ms FROM alert_silences WHERE rule_id = ? AND subject = ? AND until_ms > ?')
    .pluck();
  const expireSilences = db.prepare('DELETE FROM alert_silences WHERE until_ms <= ?');
  const insert = db.prepare(`INSERT INTO alerts
    (rule_id, rule_name, kind, subject, subject_label, state, value, threshold, message, fired_at_ms, resolved_at_ms)
    VALUES (@rule_id, @rule_name, @kind, @subject, @subject_label, 'open', @value, @threshold, @message, @fired_at_ms, NULL)`);
  const resolve = db.prepare("UPDATE alerts SET state = 'resolved', resolved_at_ms = ? WHERE id = ?");
  const notify = deps.notify ?? (() => undefined);

  function fire(announce: Announce, rule: AlertRule, verdict: Verdict, now: number): void {
    const row = {
      rule_id: rule.id,
      rule_name: rule.name,
      kind: rule.condition.kind,
      subject: verdict.subject,
      subject_label: verdict.label,
      value: verdict.value,
      threshold: verdict.threshold,
      message: verdict.message,
      fired_at_ms: now,
    };
    const id = Number(insert.run(row).lastInsertRowid);
    const silenced = (silencedUntil.get(rule.id, verdict.subject, now) as number | undefined) ?? null;
    const alert = toAlert({
      ...row,
      id,
      state: 'open',
      resolved_at_ms: null,
      acknowledged_at_ms: null,
      acknowledged_by: null,
      silenced_until_ms: silenced,
    });
    announce('alerts:fired', alert);
    if (silenced === null) notify(announce, alert, 'fired');
    deps.monitor.record(announce, {
      severity: alertKind(rule.condition.kind).severity,
      kind: 'alert.fired',
      message: verdict.message + (silenced === null ? '' : ' (silenced: nobody notified)'),
      fields: { alertId: id, ruleId: rule.id, subject: verdict.subject, value: verdict.value },
    });
  }

  function close(announce: Announce, row: AlertRow, why: string, now: number): void {
    resolve.run(now, row.id);
    const alert = toAlert({ ...row, state: 'resolved', resolved_at_ms: now });
    announce('alerts:resolved', alert);
    if (alert.silencedUntilMs === null) notify(announce, alert, 'resolved');
    deps.monitor.record(announce, {
      severity: 'info',
      kind: 'alert.resolved',
      message: `Resolved: ${row.rule_name} (${alert.subjectLabel}) — ${why}.`,
      fields: { alertId: row.id, ruleId: row.rule_id, subject: row.subject },
    });
  }

  /** Judges every rule once; opens and resolves alerts in one transaction. */
  function evaluate(): { fired: number; resolved: number } {
    const now = deps.now();
    const plans = deps.rules
      .listRules()
      .map((rule) => ({ rule, verdicts: rule.enabled ? judgeRule(rule, now, deps.sources) : [] }));
    let fired = 0;
    let resolved = 0;
    deps.store.write((announce) => {
      expireSilences.run(now);
      for (const { rule, verdicts } of plans) {
        if (verdicts === null) continue;
        const open = new Map((openAlerts.all({ ruleId: rule.id, now }) as AlertRow[]).map((row) => [row.subject, row]));
        for (const verdict of verdicts) {
          const current = open.get(verdict.subject);
          open.delete(verdict.subject);
          if (verdict.breached && !current) {
            const quietUntil =
              ((lastResolved.get(rule.id, verdict.subject) as number | null) ?? -Infinity) + rule.cooldownMs;
            if (now < quietUntil) continue;
            fire(announce, rule, verdict, now);
            fired++;
          } else if (!verdict.breached && current) {
            close(announce, current, 'the condition cleared', now);
            resolved++;
          }
        }
        // Subjects no longer reported (an instance removed, a rule disabled) cannot stay open.
        for (const row of open.values()) {
          close(announce, row, rule.enabled ? 'no longer reported' : 'the rule was disabled', now);
          resolved++;
        }
      }
    });
    return { fired, resolved };
  }

  return { evaluate };
}
