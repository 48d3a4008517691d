import type { AlertCondition, AlertKind, AlertRule } from '../../../shared/contract';
import type { Gauges } from '../metrics/gauges';
import type { MetricsQueries } from '../metrics/metrics-query';
import { nameOr, subjectLabel, type NameDirectory } from './names';

/** Health of one n8n instance, as the instances module reports it. */
export interface InstanceHealth {
  instanceId: string;
  up: boolean;
}

/** One thing a rule judged: breached or not, with the value it measured. */
export interface Verdict {
  /** Stable key of what was judged: `all`, `workflow:<id>`, `instance:<id>`, `queue`… */
  subject: string;
  /** The subject in words (names, not ids). */
  label: string;
  breached: boolean;
  value: number | null;
  threshold: number;
  message: string;
}

/** What an evaluator may read. Optional sources are absent when their module is not wired. */
export interface EvaluationSources {
  queries: MetricsQueries;
  gauges: Gauges;
  names: NameDirectory;
  instanceHealth?: () => InstanceHealth[];
}

/** The rule being judged, with its scope resolved once. */
export interface Judged<K extends AlertKind> {
  rule: AlertRule;
  params: Extract<AlertCondition, { kind: K }>;
  now: number;
  /** The rule's scope as metrics queries take it. */
  scope: { instanceId?: string; workflowId?: string };
  /** The rule's own subject (`all`, `workflow:<id>`, `instance:<id>`) and its label. */
  subject: string;
  label: string;
}

/** Judges one rule: its verdicts, or null when its data source is missing (skipped, not healthy). */
export type Evaluator<K extends AlertKind> = (rule: Judged<K>, sources: EvaluationSources) => Verdict[] | null;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * One evaluator per kind of src/shared/contract/alert-kinds.ts. The mapped type makes a kind
 * without an evaluator (or an evaluator without a kind) a compile error.
 */
export const EVALUATORS: { [K in AlertKind]: Evaluator<K> } = {
  error_rate: ({ params: c, now, scope, subject, label, rule }, { queries }) => {
    const s = queries.summary({ range: 'custom', fromMs: now - c.windowMs, toMs: now, ...scope }, now);
    const judged = s.succeeded + s.failed + s.deadLettered;
    const rate = judged >= c.minRuns ? s.errorRate : null;
    return [
      {
        subject,
        label,
        breached: rate !== null && rate * 100 > c.thresholdPct,
        value: rate === null ? null : rate * 100,
        threshold: c.thresholdPct,
        message: `Error rate ${rate === null ? 'n/a' : pct(rate)} over ${judged} runs is above ${c.thresholdPct}% (${rule.name}, ${label}).`,
      },
    ];
  },
  p95_duration: ({ params: c, now, scope, subject, label, rule }, { queries }) => {
    const s = queries.summary({ range: 'custom', fromMs: now - c.windowMs, toMs: now, ...scope }, now);
    const p95 = s.durationCount >= c.minRuns ? s.p95Ms : null;
    return [
      {
        subject,
        label,
        breached: p95 !== null && p95 > c.thresholdMs,
        value: p95,
        threshold: c.thresholdMs,
        message: `p95 run time ${p95 ?? 'n/a'} ms is above ${c.thresholdMs} ms (${rule.name}, ${label}).`,
      },
    ];
  },
  instance_down: ({ rule }, { instanceHealth, names }) => {
    if (!instanceHealth) return null;
    return instanceHealth()
      .filter((h) => !rule.instanceId || h.instanceId === rule.instanceId)
      .map((h) => ({
        subject: `instance:${h.instanceId}`,
        label: subjectLabel(names, `instance:${h.instanceId}`),
        breached: !h.up,
        value: h.up ? 1 : 0,
        threshold: 1,
        message: `Instance ${nameOr(names.instance(h.instanceId), h.instanceId)} is down (${rule.name}).`,
      }));
  },
  queue_depth: ({ params: c, rule }, { gauges }) => {
    const depth = gauges.current('queueDepth');
    if (depth === null) return null;
    return [
      {
        subject: 'queue',
        label: 'the queue',
        breached: depth > c.threshold,
        value: depth,
        threshold: c.threshold,
        message: `Queue depth ${depth} is above ${c.threshold} (${rule.name}).`,
      },
    ];
  },
  dead_letter_growth: ({ params: c, now, rule }, { gauges }) => {
    const growth = gauges.growth('deadLetters', now - c.windowMs);
    if (growth === null) return null;
    return [
      {
        subject: 'dead-letters',
        label: 'dead letters',
        breached: growth > c.threshold,
        value: growth,
        threshold: c.threshold,
        message: `Dead letters grew by ${growth} in ${Math.round(c.windowMs / 60_000)} min, above ${c.threshold} (${rule.name}).`,
      },
    ];
  },
};

/** The verdicts of one rule, or null when its data source is missing. */
export function judgeRule(rule: AlertRule, now: number, sources: EvaluationSources): Verdict[] | null {
  const subject = rule.workflowId
    ? `workflow:${rule.workflowId}`
    : rule.instanceId
      ? `instance:${rule.instanceId}`
      : 'all';
  const judged: Judged<AlertKind> = {
    rule,
    params: rule.condition,
    now,
    scope: {
      ...(rule.instanceId ? { instanceId: rule.instanceId } : {}),
      ...(rule.workflowId ? { workflowId: rule.workflowId } : {}),
    },
    subject,
    label: subjectLabel(sources.names, subject, { instanceId: rule.instanceId }),
  };
  // The kind picks its evaluator; the params are that kind's (the condition is one union).
  const evaluate = EVALUATORS[rule.condition.kind] as Evaluator<AlertKind>;
  return evaluate(judged, sources);
}
