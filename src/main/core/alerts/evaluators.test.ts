import { describe, expect, it } from 'vitest';
import {
  ALERT_KIND_IDS,
  ALERT_KINDS,
  alertConditionSchema,
  alertKind,
  summariseCondition,
  type AlertCondition,
  type AlertRule,
  type MetricsSummary,
} from '../../../shared/contract';
import type { Gauges } from '../metrics/gauges';
import type { MetricsQueries } from '../metrics/metrics-query';
import { EVALUATORS, judgeRule, type EvaluationSources } from './evaluators';
import type { NameDirectory } from './names';

const MIN = 60_000;
const NOW = 1_800_000_000_000;

const names: NameDirectory = {
  instance: (id) => ({ prod: 'Production', dev: 'Development' })[id] ?? null,
  workflow: (_instance, id) => (id === 'wf-a' ? 'Orders sync' : null),
};

/** A summary with these counts; everything else empty. */
const summary = (over: Partial<MetricsSummary>): MetricsSummary => ({
  fromMs: 0,
  toMs: 0,
  exact: true,
  percentileErrorBound: 0,
  total: 0,
  succeeded: 0,
  failed: 0,
  deadLettered: 0,
  canceled: 0,
  rejected: 0,
  errorRate: null,
  successRate: null,
  throughputPerHour: 0,
  coveredFromMs: null,
  coveredToMs: null,
  attempts: 0,
  failedAttempts: 0,
  durationCount: 0,
  p50Ms: null,
  p95Ms: null,
  p99Ms: null,
  avgDurationMs: null,
  avgQueueWaitMs: null,
  queueWaitCount: 0,
  ...over,
});

function sources(
  over: {
    summary?: MetricsSummary;
    gauges?: Partial<Record<'queueDepth' | 'deadLetters', number | null>>;
    growth?: number | null;
    health?: { instanceId: string; up: boolean }[];
  } = {},
) {
  const asked: unknown[] = [];
  const queries = {
    summary: (query: unknown) => (asked.push(query), over.summary ?? summary({})),
  } as unknown as MetricsQueries;
  const gauges = {
    current: (name: 'queueDepth' | 'deadLetters') => over.gauges?.[name] ?? null,
    growth: (_name: string, since: number) => (asked.push({ growthSince: since }), over.growth ?? null),
  } as unknown as Gauges;
  const s: EvaluationSources = {
    queries,
    gauges,
    names,
    ...(over.health ? { instanceHealth: () => over.health! } : {}),
  };
  return { s, asked };
}

const rule = (condition: AlertCondition, scope: Partial<AlertRule> = {}): AlertRule => ({
  id: 'r1',
  name: 'My rule',
  enabled: true,
  cooldownMs: 0,
  instanceId: null,
  workflowId: null,
  instanceName: null,
  workflowName: null,
  condition,
  createdAtMs: 0,
  updatedAtMs: 0,
  ...scope,
});

describe('alert kind descriptors', () => {
  it('pair every kind with an evaluator, and every field with a parameter whose default is valid', () => {
    expect(Object.keys(EVALUATORS).sort()).toEqual([...ALERT_KIND_IDS].sort());
    for (const kind of ALERT_KIND_IDS) {
      const d = alertKind(kind);
      expect(d.label.length).toBeGreaterThan(3);
      const params = Object.fromEntries(d.fields.map((f) => [f.key, f.defaultValue * (f.scale ?? 1)]));
      expect(Object.keys(params).sort()).toEqual(Object.keys(d.params).sort());
      // The editor's defaults make a valid condition, and its summary reads in units.
      const parsed = alertConditionSchema.parse({ kind, ...params });
      expect(summariseCondition(parsed)).toBe(d.summary(params as never));
      for (const f of d.fields) expect(f.unit).not.toBe('');
    }
    expect(summariseCondition({ kind: 'error_rate', thresholdPct: 10, windowMs: 15 * MIN, minRuns: 5 })).toBe(
      'error rate > 10% over 15 min (at least 5 runs)',
    );
  });

  it('refuse unknown kinds, unknown parameters and out-of-range values', () => {
    const bad = [
      { kind: 'disk_full', threshold: 1 },
      { kind: 'queue_depth', threshold: -1 },
      { kind: 'queue_depth', threshold: 1, extra: true },
      { kind: 'error_rate', thresholdPct: 101, windowMs: MIN },
      { kind: 'error_rate', thresholdPct: 10, windowMs: 1000 },
      { kind: 'instance_down', threshold: 1 },
      { kind: 'p95_duration', thresholdMs: 0, windowMs: MIN },
    ];
    for (const condition of bad)
      expect(alertConditionSchema.safeParse(condition).success, JSON.stringify(condition)).toBe(false);
    expect(ALERT_KINDS.error_rate.fields.map((f) => f.unit)).toEqual(['%', 'min', 'runs']);
  });
});

describe('alert evaluators', () => {
  it('error_rate: breaches above the percentage once enough runs finished, scoped to the rule', () => {
    const condition: AlertCondition = { kind: 'error_rate', thresholdPct: 50, windowMs: 10 * MIN, minRuns: 4 };
    const scoped = rule(condition, { instanceId: 'prod', workflowId: 'wf-a' });
    const high = sources({ summary: summary({ succeeded: 1, failed: 3, errorRate: 0.75 }) });
    const [v] = judgeRule(scoped, NOW, high.s)!;
    expect(v).toMatchObject({ subject: 'workflow:wf-a', breached: true, value: 75, threshold: 50 });
    expect(v!.label).toBe('workflow Orders sync on Production');
    expect(v!.message).toContain('Orders sync');
    expect(v!.message).not.toContain('wf-a');
    expect(high.asked).toEqual([
      { range: 'custom', fromMs: NOW - 10 * MIN, toMs: NOW, instanceId: 'prod', workflowId: 'wf-a' },
    ]);

    // Too few runs: not judged (no value), not breached.
    const few = sources({ summary: summary({ failed: 3, errorRate: 1 }) });
    expect(judgeRule(scoped, NOW, few.s)![0]).toMatchObject({ breached: false, value: null });
    // At the threshold exactly: not above it.
    const equal = sources({ summary: summary({ succeeded: 2, failed: 2, errorRate: 0.5 }) });
    expect(judgeRule(scoped, NOW, equal.s)![0]!.breached).toBe(false);
  });

  it('p95_duration: breaches above the duration with enough durations', () => {
    const condition: AlertCondition = { kind: 'p95_duration', thresholdMs: 1000, windowMs: 5 * MIN, minRuns: 2 };
    const slow = sources({ summary: summary({ durationCount: 2, p95Ms: 1500 }) });
    expect(judgeRule(rule(condition), NOW, slow.s)).toEqual([
      expect.objectContaining({ subject: 'all', label: 'all runs', breached: true, value: 1500, threshold: 1000 }),
    ]);
    const one = sources({ summary: summary({ durationCount: 1, p95Ms: 5000 }) });
    expect(judgeRule(rule(condition), NOW, one.s)![0]).toMatchObject({ breached: false, value: null });
  });

  it('instance_down: one verdict per reported instance, by name; skipped without instance health', () => {
    const condition: AlertCondition = { kind: 'instance_down' };
    const health = [
      { instanceId: 'prod', up: true },
      { instanceId: 'dev', up: false },
      { instanceId: 'gone', up: false },
    ];
    const verdicts = judgeRule(rule(condition), NOW, sources({ health }).s)!;
    expect(verdicts.map((v) => [v.subject, v.label, v.breached])).toEqual([
      ['instance:prod', 'instance Production', false],
      ['instance:dev', 'instance Development', true],
      ['instance:gone', 'instance “gone”', true],
    ]);
    expect(verdicts[1]!.message).toBe('Instance Development is down (My rule).');
    // Scoped to one instance: only its verdict.
    expect(judgeRule(rule(condition, { instanceId: 'dev' }), NOW, sources({ health }).s)).toHaveLength(1);
    expect(judgeRule(rule(condition), NOW, sources().s)).toBeNull();
  });

  it('queue_depth: breaches above the count; skipped while no queue reports', () => {
    const condition: AlertCondition = { kind: 'queue_depth', threshold: 100 };
    expect(judgeRule(rule(condition), NOW, sources({ gauges: { queueDepth: 101 } }).s)).toEqual([
      expect.objectContaining({ subject: 'queue', label: 'the queue', breached: true, value: 101 }),
    ]);
    expect(judgeRule(rule(condition), NOW, sources({ gauges: { queueDepth: 100 } }).s)![0]!.breached).toBe(false);
    expect(judgeRule(rule(condition), NOW, sources().s)).toBeNull();
  });

  it('dead_letter_growth: growth since the window start above the count; skipped without samples', () => {
    const condition: AlertCondition = { kind: 'dead_letter_growth', threshold: 5, windowMs: 10 * MIN };
    const grown = sources({ growth: 6 });
    expect(judgeRule(rule(condition), NOW, grown.s)).toEqual([
      expect.objectContaining({ subject: 'dead-letters', breached: true, value: 6, threshold: 5 }),
    ]);
    expect(grown.asked).toEqual([{ growthSince: NOW - 10 * MIN }]);
    expect(judgeRule(rule(condition), NOW, sources({ growth: 5 }).s)![0]!.breached).toBe(false);
    expect(judgeRule(rule(condition), NOW, sources({ growth: null }).s)).toBeNull();
  });
});
