import { z } from 'zod';
import { call } from './define';
import { runRefSchema } from './executions';
import { executionStatusSchema } from './executions-model';
import { alertConditionSchema } from './alert-kinds';

/**
 * Metrics, alerts and the monitoring event log: three areas (`metrics:`, `alerts:`,
 * `monitoring:`) kept in one file because they share the scope and range vocabulary.
 *
 * Metrics count runs, each once, by its final outcome: a terminal execution (succeeded, failed,
 * dead_lettered, canceled, rejected) is a run unless a retry superseded it (the run lives on in
 * its newest retry, local or n8n's), in the bucket of its `createdAtMs`. Attempts (webhook calls
 * of local runs, one per synced n8n execution, superseded rows included) are their own series.
 * Percentiles use the nearest-rank
 * definition: of n durations sorted ascending, pXX is the value at rank ceil(XX/100 · n)
 * (1-based); null when n = 0.
 */

const MAX_RANGE_MS = 3660 * 86_400_000;
const id = z.string().trim().min(1).max(200);

/** The presets the dashboard offers; `custom` takes `fromMs`/`toMs`. Presets end now. */
export const metricsRangeSchema = z.enum(['1h', '24h', '7d', '30d', 'custom']);
export type MetricsRange = z.infer<typeof metricsRangeSchema>;

/** Length of each preset in ms. */
export const RANGE_MS: Record<Exclude<MetricsRange, 'custom'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

const scopeShape = {
  /** Only this n8n instance. */
  instanceId: id.optional(),
  /** Only this workflow (n8n workflow id). */
  workflowId: id.optional(),
  /** Only runs produced by this mapping. */
  mappingId: id.optional(),
};

const rangeShape = {
  range: metricsRangeSchema,
  /** Start of a custom range (epoch ms, inclusive). */
  fromMs: z.number().int().nonnegative().optional(),
  /** End of a custom range (epoch ms, exclusive). */
  toMs: z.number().int().nonnegative().optional(),
};

type RangeFields = { range: MetricsRange; fromMs?: number | undefined; toMs?: number | undefined };
const checkRange = (value: RangeFields, ctx: z.RefinementCtx) => {
  if (value.range !== 'custom') {
    if (value.fromMs !== undefined || value.toMs !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'fromMs/toMs are only for range "custom"' });
    }
    return;
  }
  if (value.fromMs === undefined || value.toMs === undefined) {
    ctx.addIssue({ code: 'custom', path: ['fromMs'], message: 'A custom range needs fromMs and toMs' });
  } else if (value.toMs <= value.fromMs) {
    ctx.addIssue({ code: 'custom', path: ['toMs'], message: 'toMs must be after fromMs' });
  } else if (value.toMs - value.fromMs > MAX_RANGE_MS) {
    ctx.addIssue({ code: 'custom', path: ['toMs'], message: 'A range may span at most 3660 days' });
  }
};

/** Which executions a metric covers: a range plus an optional instance/workflow/mapping. */
export const metricsQuerySchema = z
  .object({ ...rangeShape, ...scopeShape })
  .strict()
  .superRefine(checkRange);
export type MetricsQuery = z.infer<typeof metricsQuerySchema>;

export const metricsSummarySchema = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  /** True when computed from raw rows (percentiles exact); false when read from the rollups. */
  exact: z.boolean(),
  /** Largest relative error of the percentiles: 0 when exact, about 0.044 from the histograms. */
  percentileErrorBound: z.number(),
  /** Runs (terminal, not superseded by a retry) created in the range. */
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  deadLettered: z.number().int(),
  canceled: z.number().int(),
  rejected: z.number().int(),
  /** (failed + deadLettered) / (succeeded + failed + deadLettered); null without such runs. */
  errorRate: z.number().nullable(),
  /** succeeded / (succeeded + failed + deadLettered); null without such runs. */
  successRate: z.number().nullable(),
  /**
   * Runs per hour over the period the data covers (`coveredFromMs`–`coveredToMs`: the first to
   * the last run created in the range, at least one minute), not over the range's length.
   */
  throughputPerHour: z.number(),
  /** Start of the period the runs cover (epoch ms); null without runs. */
  coveredFromMs: z.number().nullable(),
  /** End of the period the runs cover (epoch ms); null without runs. */
  coveredToMs: z.number().nullable(),
  /** Webhook calls of local runs plus synced n8n executions, retried (superseded) ones included. */
  attempts: z.number().int(),
  /** Attempts n8n did not answer 2xx, and synced n8n executions that failed. */
  failedAttempts: z.number().int(),
  /** Executions that had a duration. */
  durationCount: z.number().int(),
  /** Run time percentiles and mean (ms), nearest-rank; null without durations. */
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  avgDurationMs: z.number().nullable(),
  /** Mean time from queued to first dispatch (ms); null when no run recorded one. */
  avgQueueWaitMs: z.number().nullable(),
  queueWaitCount: z.number().int(),
});
export type MetricsSummary = z.infer<typeof metricsSummarySchema>;

export const metricsPointSchema = metricsSummarySchema
  .pick({
    total: true,
    succeeded: true,
    failed: true,
    deadLettered: true,
    errorRate: true,
    p50Ms: true,
    p95Ms: true,
    p99Ms: true,
    avgDurationMs: true,
    avgQueueWaitMs: true,
    attempts: true,
    failedAttempts: true,
  })
  .extend({
    /** Start of the point's bucket (epoch ms); the bucket ends at tMs + stepMs. */
    tMs: z.number(),
  });
export type MetricsPoint = z.infer<typeof metricsPointSchema>;

export const metricsSeriesSchema = z.object({
  /** Bucket width (ms). Points are aligned to multiples of it (UTC). */
  stepMs: z.number().int(),
  exact: z.boolean(),
  points: z.array(metricsPointSchema),
});
export type MetricsSeries = z.infer<typeof metricsSeriesSchema>;

export const drilldownExecutionSchema = z.object({
  id: z.number().int(),
  status: executionStatusSchema,
  source: z.enum(['local', 'remote']),
  instanceId: z.string().nullable(),
  workflowId: z.string().nullable(),
  mappingId: z.string().nullable(),
  remoteId: z.string().nullable(),
  /** The newest retry of this run (it then counts only as attempts), when one exists. */
  supersededBy: runRefSchema.nullable(),
  createdAtMs: z.number(),
  durationMs: z.number().nullable(),
  queueWaitMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type DrilldownExecution = z.infer<typeof drilldownExecutionSchema>;

export const workflowMetricsSchema = z.object({
  /** '' for runs without an instance or workflow. */
  instanceId: z.string(),
  workflowId: z.string(),
  /** Names as the last sync saw them; null when not known (show the id). */
  instanceName: z.string().nullable(),
  workflowName: z.string().nullable(),
  summary: metricsSummarySchema,
  /** Runs per bucket across the range, for a sparkline. */
  spark: z.array(z.number().int()),
});

/** Gauges sampled from other modules; `provided: false` means no module reports it yet. */
export const GAUGE_NAMES = ['queueDepth', 'approvalsPending', 'deadLetters'] as const;
export const gaugeNameSchema = z.enum(GAUGE_NAMES);
export type GaugeName = z.infer<typeof gaugeNameSchema>;

export const metricsCalls = {
  'metrics:summary': call(metricsQuerySchema, metricsSummarySchema),
  'metrics:series': call(metricsQuerySchema, metricsSeriesSchema),
  /** The executions behind one chart point (or any window), newest first. */
  'metrics:drilldown': call(
    z
      .object({
        fromMs: z.number().int().nonnegative(),
        toMs: z.number().int().nonnegative(),
        ...scopeShape,
        /** Only these statuses; all terminal statuses when absent. */
        statuses: z.array(executionStatusSchema).min(1).max(11).optional(),
        /** Also the runs a retry superseded (they count as attempts, not as runs). Default false. */
        includeSuperseded: z.boolean().optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict()
      .refine((v) => v.toMs > v.fromMs, { path: ['toMs'], message: 'toMs must be after fromMs' }),
    z.object({ executions: z.array(drilldownExecutionSchema), total: z.number().int() }),
  ),
  /** One row per instance+workflow seen in the range: its summary and a sparkline. */
  'metrics:workflows': call(
    z
      .object({ ...rangeShape, instanceId: scopeShape.instanceId })
      .strict()
      .superRefine(checkRange),
    z.object({ workflows: z.array(workflowMetricsSchema) }),
  ),
  /** The instances, workflows and mappings that have metrics, for the scope pickers. */
  'metrics:dimensions': call(
    z.object({}).strict(),
    z.object({
      instances: z.array(z.string()),
      workflows: z.array(z.object({ instanceId: z.string(), workflowId: z.string() })),
      mappings: z.array(z.string()),
    }),
  ),
  /** Sampled gauges over the range. */
  'metrics:gauges': call(
    z.object(rangeShape).strict().superRefine(checkRange),
    z.object({
      gauges: z.array(
        z.object({
          name: gaugeNameSchema,
          provided: z.boolean(),
          points: z.array(z.object({ tMs: z.number(), value: z.number() })),
        }),
      ),
    }),
  ),
  /**
   * Time from an approval's creation to its decision, for items decided in the range (exact
   * nearest-rank percentiles). `provided` is false when no approvals area reports to metrics.
   */
  'metrics:decisions': call(
    z.object(rangeShape).strict().superRefine(checkRange),
    z.object({
      provided: z.boolean(),
      decided: z.number().int(),
      p50Ms: z.number().nullable(),
      p95Ms: z.number().nullable(),
      maxMs: z.number().nullable(),
    }),
  ),
  /** The Prometheus text exposition (format 0.0.4) served by the headless host at /metrics. */
  'metrics:prometheus': call(z.object({}).strict(), z.object({ text: z.string() })),
};

export const metricsEvents = {
  /** Rollups changed (throttled: at most once per few seconds). */
  'metrics:updated': z.object({ atMs: z.number() }),
};

// ---------------------------------------------------------------------------------------------
// Alerts

export {
  ALERT_KINDS,
  ALERT_KIND_IDS,
  alertConditionSchema,
  alertKind,
  isAlertKind,
  summariseCondition,
  type AlertCondition,
  type AlertConditionInput,
  type AlertField,
  type AlertKind,
  type AlertKindDescriptor,
  type AlertScope,
} from './alert-kinds';

export const alertRuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    enabled: z.boolean().default(true),
    /** After an alert resolves, the same rule and subject stay quiet this long (ms, default 15 min). */
    cooldownMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400_000)
      .default(15 * 60_000),
    /** Scope: only this instance (null or absent = all). */
    instanceId: id.nullable().default(null),
    /** Scope: only this workflow (null or absent = all). */
    workflowId: id.nullable().default(null),
    condition: alertConditionSchema,
  })
  .strict();
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;

export const alertRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  cooldownMs: z.number().int(),
  instanceId: z.string().nullable(),
  workflowId: z.string().nullable(),
  /** The scope's names as the core knows them (null when unscoped or no longer known). */
  instanceName: z.string().nullable(),
  workflowName: z.string().nullable(),
  condition: alertConditionSchema,
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
});
export type AlertRule = z.infer<typeof alertRuleSchema>;

export const alertSchema = z.object({
  id: z.number().int(),
  ruleId: z.string(),
  ruleName: z.string(),
  kind: z.string(),
  /** What breached: `all`, `instance:<id>`, `workflow:<id>`… */
  subject: z.string(),
  /** The subject by name: `workflow Orders sync`, `instance prod`, `the queue`. */
  subjectLabel: z.string(),
  state: z.enum(['open', 'resolved']),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  message: z.string(),
  firedAtMs: z.number(),
  resolvedAtMs: z.number().nullable(),
  /** When and by whom an operator acknowledged it (an acknowledged alert leaves the badge). */
  acknowledgedAtMs: z.number().nullable(),
  acknowledgedBy: z.string().nullable(),
  /** Its rule and subject are silenced until then (no notifications, not in the badge); null = not silenced. */
  silencedUntilMs: z.number().nullable(),
});
export type Alert = z.infer<typeof alertSchema>;

const ruleId = z.string().min(1).max(100);
const alertId = z.number().int().positive();

/** Longest silence: 30 days. */
export const MAX_SILENCE_MS = 30 * 86_400_000;

/**
 * Where alert notices are posted. http or https only, no user name or password in it (the
 * address itself is treated as a secret: Slack's carries its token in the path).
 */
export const notifierUrlSchema = z
  .string()
  .trim()
  .min(1, 'Enter the webhook address')
  .max(2000, 'The address is too long (2000 characters at most)')
  // Shared code has no URL class: regexes, checked again with URL in the core before sealing.
  .superRefine((value, ctx) => {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
    if (!scheme) {
      ctx.addIssue({ code: 'custom', message: 'Not a web address: enter one like https://hooks.slack.com/services/…' });
    } else if (scheme !== 'http' && scheme !== 'https') {
      ctx.addIssue({ code: 'custom', message: `Only http and https addresses can be notified (not ${scheme}:)` });
    } else if (/^https?:\/\/[^/?#]*@/i.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'Put credentials in the signing secret, not in the address' });
    } else if (!/^https?:\/\/[^\s/?#@]+(\/[^\s#]*)?$/i.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'Not a web address: enter one like https://hooks.slack.com/services/…' });
    }
  });

/** The notifier as the renderer sees it: never the address or the secret, only a hint. */
export const alertNotifierSchema = z.object({
  configured: z.boolean(),
  enabled: z.boolean(),
  /** `https://hooks.slack.com/…`: the origin only. */
  target: z.string().nullable(),
  /** A signing secret is set (bodies carry an HMAC-SHA256 signature). */
  hasSecret: z.boolean(),
  /** Resolve notices are posted too. */
  notifyResolved: z.boolean(),
  outbox: z.object({
    pending: z.number().int(),
    failed: z.number().int(),
    delivered: z.number().int(),
    lastDeliveredAtMs: z.number().nullable(),
    lastError: z.string().nullable(),
  }),
});
export type AlertNotifier = z.infer<typeof alertNotifierSchema>;

export const outboxEntrySchema = z.object({
  id: z.number().int(),
  alertId: z.number().int().nullable(),
  /** `fired`, `resolved` or `test`. */
  event: z.enum(['fired', 'resolved', 'test']),
  text: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  nextAttemptAtMs: z.number().nullable(),
  lastError: z.string().nullable(),
  createdAtMs: z.number(),
  deliveredAtMs: z.number().nullable(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

export const alertCountsSchema = z.object({
  /** Open (firing) alerts. */
  open: z.number().int(),
  /** Open, not acknowledged and not silenced: the nav badge. */
  unacknowledged: z.number().int(),
  /** Open alerts whose rule and subject are silenced. */
  silenced: z.number().int(),
});
export type AlertCounts = z.infer<typeof alertCountsSchema>;

export const alertsCalls = {
  'alerts:listRules': call(z.object({}).strict(), z.object({ rules: z.array(alertRuleSchema) })),
  'alerts:createRule': call(z.object({ rule: alertRuleInputSchema }).strict(), alertRuleSchema),
  /** Replaces a rule's definition (the editor sends the whole rule). */
  'alerts:updateRule': call(z.object({ id: ruleId, rule: alertRuleInputSchema }).strict(), alertRuleSchema),
  /** Deletes a rule and resolves its open alerts; the history stays. */
  'alerts:deleteRule': call(z.object({ id: ruleId }).strict(), z.object({ deleted: z.literal(true) })),
  /** Alerts newest first: open ones, or the history. */
  'alerts:list': call(
    z
      .object({
        state: z.enum(['open', 'resolved']).optional(),
        ruleId: ruleId.optional(),
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    z.object({ alerts: z.array(alertSchema), nextBeforeId: z.number().int().nullable() }),
  ),
  /** Firing alerts by state of attention (the nav badge counts `unacknowledged`). */
  'alerts:counts': call(z.object({}).strict(), alertCountsSchema),
  /** Marks an open alert as seen: it leaves the badge and stays open until its condition clears. */
  'alerts:acknowledge': call(z.object({ id: alertId }).strict(), alertSchema),
  /**
   * Silences the alert's rule and subject for a period (1 minute – 30 days): alerts keep being
   * recorded, but notify nobody and stay out of the badge until then.
   */
  'alerts:silence': call(
    z
      .object({
        id: alertId,
        forMs: z
          .number()
          .int()
          .min(60_000, 'Silence for at least a minute')
          .max(MAX_SILENCE_MS, 'Silence for 30 days at most'),
      })
      .strict(),
    alertSchema,
  ),
  /** Ends the silence of the alert's rule and subject now. */
  'alerts:unsilence': call(z.object({ id: alertId }).strict(), alertSchema),
  /** The webhook notifier (address and secret never leave the core). */
  'alerts:getNotifier': call(z.object({}).strict(), alertNotifierSchema),
  /**
   * Sets the webhook notifier. `url` absent keeps the stored one (required the first time);
   * `secret` absent keeps it, null removes it.
   */
  'alerts:setNotifier': call(
    z
      .object({
        url: notifierUrlSchema.optional(),
        secret: z.string().min(8, 'A signing secret has at least 8 characters').max(500).nullable().optional(),
        enabled: z.boolean(),
        notifyResolved: z.boolean().default(true),
      })
      .strict(),
    alertNotifierSchema,
  ),
  /** Forgets the notifier; undelivered notices are dropped (marked failed). */
  'alerts:removeNotifier': call(z.object({}).strict(), alertNotifierSchema),
  /** Queues a test notice through the outbox. */
  'alerts:testNotifier': call(z.object({}).strict(), z.object({ queued: z.number().int() })),
  /** The notifier's outbox, newest first. */
  'alerts:outbox': call(
    z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(),
    z.object({ entries: z.array(outboxEntrySchema) }),
  ),
};

export const alertsEvents = {
  /** An alert opened (committed); windows show a notification unless it is silenced. */
  'alerts:fired': alertSchema,
  /** An open alert's condition cleared. */
  'alerts:resolved': alertSchema,
  /** An operator acknowledged, silenced or unsilenced an alert (badges recount). */
  'alerts:changed': alertSchema,
  /** The notifier or its outbox changed (a delivery, a failure, new settings). */
  'alerts:outboxChanged': z.object({ atMs: z.number() }),
};

// ---------------------------------------------------------------------------------------------
// Monitoring event log

export const SEVERITIES = ['debug', 'info', 'warn', 'error'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

export const monitoringEventSchema = z.object({
  id: z.number().int(),
  atMs: z.number(),
  severity: severitySchema,
  /** Dotted kind: `alert.fired`, `alert.resolved`, `retention.run`… */
  kind: z.string(),
  message: z.string(),
  fields: z.record(z.string(), z.unknown()),
});
export type MonitoringEvent = z.infer<typeof monitoringEventSchema>;

export const monitoringCalls = {
  'monitoring:list': call(
    z
      .object({
        /** This severity and above. */
        minSeverity: severitySchema.optional(),
        /** Exact kind, or a prefix ending in `.` (`alert.`). */
        kind: z.string().trim().min(1).max(100).optional(),
        fromMs: z.number().int().nonnegative().optional(),
        toMs: z.number().int().nonnegative().optional(),
        beforeId: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    z.object({ events: z.array(monitoringEventSchema), nextBeforeId: z.number().int().nullable() }),
  ),
};

export const monitoringEvents = {
  /** A monitoring event was committed. */
  'monitoring:event': monitoringEventSchema,
};
