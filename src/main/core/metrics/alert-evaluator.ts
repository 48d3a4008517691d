import type { AlertRule } from '../../../shared/contract';
import type { Announce, Store } from '../db/store';
import { toAlert, type AlertRow, type AlertRules } from './alert-rules';
import type { Gauges } from './gauges';
import type { MetricsQueries } from './metrics-query';
import type { MonitoringLog } from './monitoring-log';

/** Health of one n8n instance, as the instances module reports it. */
export interface InstanceHealth {
  instanceId: string;
  up: boolean;
}

/** One thing a rule judged: breached or not, with the value it measured. */
interface Verdict {
  subject: string;
  breached: boolean;
  value: number | null;
  threshold: number;
  message: string;
}

const subjectOf = (rule: AlertRule) =>
  rule.workflowId ? `workflow:${rule.workflowId}` : rule.instanceId ? `instance:${rule.instanceId}` : 'all';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Evaluates every rule on the injected clock. One open alert per rule and subject at most
 * (also enforced by a unique index); after a resolve the same rule and subject stay quiet for
 * the rule's cooldown. Rules whose data source is not wired (no queue, no instances module)
 * are skipped, not judged healthy.
 */
export function createAlertEvaluator(deps: {
  store: Store;
  now: () => number;
  rules: AlertRules;
  queries: MetricsQueries;
  gauges: Gauges;
  monitor: MonitoringLog;
  instanceHealth?: () => InstanceHealth[];
}) {
  const { db } = deps.store;
  const openAlerts = db.prepare("SELECT * FROM alerts WHERE rule_id = ? AND state = 'open'");
  const lastResolved = db
    .prepare("SELECT MAX(resolved_at_ms) FROM alerts WHERE rule_id = ? AND subject = ? AND state = 'resolved'")
    .pluck();
  const insert = db.prepare(`INSERT INTO alerts
    (rule_id, rule_name, kind, subject, state, value, threshold, message, fired_at_ms, resolved_at_ms)
    VALUES (@rule_id, @rule_name, @kind, @subject, 'open', @value, @threshold, @message, @fired_at_ms, NULL)`);
  const resolve = db.prepare("UPDATE alerts SET state = 'resolved', resolved_at_ms = ? WHERE id = ?");

  /** The verdicts of one rule, or null when its data source is missing. */
  function judge(rule: AlertRule, now: number): Verdict[] | null {
    const c = rule.condition;
    const scope = {
      ...(rule.instanceId ? { instanceId: rule.instanceId } : {}),
      ...(rule.workflowId ? { workflowId: rule.workflowId } : {}),
    };
    const subject = subjectOf(rule);
    switch (c.kind) {
      case 'error_rate': {
        const s = deps.queries.summary({ range: 'custom', fromMs: now - c.windowMs, toMs: now, ...scope }, now);
        const judged = s.succeeded + s.failed + s.deadLettered;
        const rate = judged >= c.minRuns ? s.errorRate : null;
        return [
          {
            subject,
            breached: rate !== null && rate * 100 > c.thresholdPct,
            value: rate === null ? null : rate * 100,
            threshold: c.thresholdPct,
            message: `Error rate ${rate === null ? 'n/a' : pct(rate)} over ${judged} runs is above ${c.thresholdPct}% (${rule.name}, ${subject}).`,
          },
        ];
      }
      case 'p95_duration': {
        const s = deps.queries.summary({ range: 'custom', fromMs: now - c.windowMs, toMs: now, ...scope }, now);
        const p95 = s.durationCount >= c.minRuns ? s.p95Ms : null;
        return [
          {
            subject,
            breached: p95 !== null && p95 > c.thresholdMs,
            value: p95,
            threshold: c.thresholdMs,
            message: `p95 run time ${p95 ?? 'n/a'} ms is above ${c.thresholdMs} ms (${rule.name}, ${subject}).`,
          },
        ];
      }
      case 'instance_down': {
        if (!deps.instanceHealth) return null;
        return deps
          .instanceHealth()
          .filter((h) => !rule.instanceId || h.instanceId === rule.instanceId)
          .map((h) => ({
            subject: `instance:${h.instanceId}`,
            breached: !h.up,
            value: h.up ? 1 : 0,
            threshold: 1,
            message: `Instance ${h.instanceId} is down (${rule.name}).`,
          }));
      }
      case 'queue_depth': {
        const depth = deps.gauges.current('queueDepth');
        if (depth === null) return null;
        return [
          {
            subject: 'queue',
            breached: depth > c.threshold,
            value: depth,
            threshold: c.threshold,
            message: `Queue depth ${depth} is above ${c.threshold} (${rule.name}).`,
          },
        ];
      }
      case 'dead_letter_growth': {
        const growth = deps.gauges.growth('deadLetters', now - c.windowMs);
        if (growth === null) return null;
        return [
          {
            subject: 'dead-letters',
            breached: growth > c.threshold,
            value: growth,
            threshold: c.threshold,
            message: `Dead letters grew by ${growth} in ${Math.round(c.windowMs / 60_000)} min, above ${c.threshold} (${rule.name}).`,
          },
        ];
      }
    }
  }

  function fire(announce: Announce, rule: AlertRule, verdict: Verdict, now: number): void {
    const row = {
      rule_id: rule.id,
      rule_name: rule.name,
      kind: rule.condition.kind,
      subject: verdict.subject,
      value: verdict.value,
      threshold: verdict.threshold,
      message: verdict.message,
      fired_at_ms: now,
    };
    const id = Number(insert.run(row).lastInsertRowid);
    const alert = toAlert({ ...row, id, state: 'open', resolved_at_ms: null });
    announce('alerts:fired', alert);
    deps.monitor.record(announce, {
      severity: rule.condition.kind === 'instance_down' ? 'error' : 'warn',
      kind: 'alert.fired',
      message: verdict.message,
      fields: { alertId: id, ruleId: rule.id, subject: verdict.subject, value: verdict.value },
    });
  }

  function close(announce: Announce, row: AlertRow, why: string, now: number): void {
    resolve.run(now, row.id);
    const alert = toAlert({ ...row, state: 'resolved', resolved_at_ms: now });
    announce('alerts:resolved', alert);
    deps.monitor.record(announce, {
      severity: 'info',
      kind: 'alert.resolved',
      message: `Resolved: ${row.rule_name} (${row.subject}) — ${why}.`,
      fields: { alertId: row.id, ruleId: row.rule_id, subject: row.subject },
    });
  }

  /** Judges every rule once; opens and resolves alerts in one transaction. */
  function evaluate(): { fired: number; resolved: number } {
    const now = deps.now();
    const plans = deps.rules.listRules().map((rule) => ({ rule, verdicts: rule.enabled ? judge(rule, now) : [] }));
    let fired = 0;
    let resolved = 0;
    deps.store.write((announce) => {
      for (const { rule, verdicts } of plans) {
        if (verdicts === null) continue;
        const open = new Map((openAlerts.all(rule.id) as AlertRow[]).map((row) => [row.subject, row]));
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
