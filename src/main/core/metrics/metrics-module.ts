import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import type { InstanceHealth } from '../alerts/evaluators';
import { createNameDirectory, type NameDirectory } from '../alerts/names';
import { createAlertOutbox, type OutboxOptions } from '../alerts/outbox';
import { createFileKeyBox, type SecretBox } from '../instances/secret-box';
import { createAlertEvaluator } from './alert-evaluator';
import { createAlertRules } from './alert-rules';
import { createGauges, type GaugeProviders } from './gauges';
import { nearestRank } from './histogram';
import { createMetricsExplorer } from './metrics-explore';
import { createMetricsQueries, resolveRange } from './metrics-query';
import { createMonitoringLog, type MonitoringLog } from './monitoring-log';
import { createPrometheusExporter } from './prometheus';
import { createRetention } from './retention';

/** Ports and timings of the metrics module; every interval is measured on the core's clock. */
export interface MetricsOptions {
  /** Current values of gauges owned by other modules (queue depth, approvals pending…). */
  gauges?: GaugeProviders;
  /** Health of every n8n instance, from the instances module (for `instance_down` rules). */
  instanceHealth?: () => InstanceHealth[];
  /** Milliseconds from creation to decision of the approvals decided in [fromMs, toMs). */
  decisionTimes?: (fromMs: number, toMs: number) => number[];
  /** How often gauges are sampled (ms, default 60 000). */
  sampleIntervalMs?: number;
  /** How often alert rules are evaluated (ms, default 30 000). */
  evaluateIntervalMs?: number;
  /** How often retention cleanup runs (ms, default 1 hour). */
  retentionIntervalMs?: number;
  /** At most one metrics:updated event per this many ms (default 5 000). */
  updateThrottleMs?: number;
  /** Real-time period of the background loop that checks what is due (ms, default 1 000; 0 = off). */
  pollMs?: number;
  /** Names of instances and workflows (default: the store's own tables). */
  names?: NameDirectory;
  /** Seals the notifier's address and secret (default: the data directory's key file, as for API keys). */
  secretBox?: SecretBox;
  /** The webhook notifier's delivery: its POST, timeout, attempts and backoff. */
  notifier?: OutboxOptions;
}

export type MetricsModule = FeatureModule<'metrics' | 'alerts' | 'monitoring'> & {
  /** The monitoring event log, for other modules to record into. */
  monitor: MonitoringLog;
  /** Runs whatever is due now on the clock (sampling, alerts, retention, update notice). */
  tick(): void;
  evaluateAlerts(): { fired: number; resolved: number };
  /** Posts the alert notices that are due (the background loop calls it on every tick). */
  deliverNotices(): Promise<number>;
  runRetention(): ReturnType<ReturnType<typeof createRetention>['run']>;
};

export function createMetricsModule(
  ctx: CoreContext,
  deps: { audit: AuditLog; retentionDays: () => number },
  options: MetricsOptions = {},
): MetricsModule {
  const now = () => ctx.clock.now();
  const { store } = ctx;
  const monitor = createMonitoringLog(store, now);
  const queries = createMetricsQueries(store.db);
  const names = options.names ?? createNameDirectory(store.db);
  const explorer = createMetricsExplorer(store.db, queries, names);
  const gauges = createGauges(store, options.gauges ?? {}, ctx.logger);
  const outbox = createAlertOutbox({
    store,
    now,
    box: options.secretBox ?? createFileKeyBox(ctx.dataDir, ctx.logger),
    audit: deps.audit,
    operator: ctx.operator,
    monitor,
    logger: ctx.logger,
    ...(options.notifier ? { options: options.notifier } : {}),
  });
  const rules = createAlertRules(store, now, deps.audit, ctx.operator, names, (announce, alert) =>
    outbox.enqueue(announce, alert, 'resolved'),
  );
  const evaluator = createAlertEvaluator({
    store,
    now,
    rules,
    sources: {
      queries,
      gauges,
      names,
      ...(options.instanceHealth ? { instanceHealth: options.instanceHealth } : {}),
    },
    monitor,
    notify: outbox.enqueue,
  });
  const retention = createRetention(store, monitor);
  const prometheus = createPrometheusExporter(store.db, queries, gauges);

  const intervals = {
    sample: options.sampleIntervalMs ?? 60_000,
    evaluate: options.evaluateIntervalMs ?? 30_000,
    retention: options.retentionIntervalMs ?? 3_600_000,
    throttle: options.updateThrottleMs ?? 5_000,
  };
  // Retention first runs a few minutes after start, not at once: a fresh start should not
  // begin with a large delete while the operator opens the window.
  const last = {
    sample: -Infinity,
    evaluate: -Infinity,
    retention: now() - intervals.retention + Math.min(intervals.retention, 5 * 60_000),
    updated: -Infinity,
  };
  const version = store.db.prepare('SELECT version FROM metric_state WHERE id = 1').pluck();
  let seenVersion = version.get() as number;

  const runRetention = () => {
    const result = retention.run(now(), deps.retentionDays());
    // The notifier's outbox follows the same history setting (waiting notices are kept).
    store.write(() => outbox.prune(now() - deps.retentionDays() * 86_400_000));
    return result;
  };

  /** Each job isolated: one failing (a locked table, a bad provider) must not stop the others. */
  function guarded(name: string, job: () => void): void {
    try {
      job();
    } catch (error) {
      ctx.logger.error('A metrics background job failed', { job: name, error });
      try {
        monitor.recordNow({
          severity: 'error',
          kind: `metrics.${name}_failed`,
          message: `Background ${name} failed: ${(error as Error).message}`,
        });
      } catch {
        // The store itself is failing; the logger line above is all we can do.
      }
    }
  }

  function tick(): void {
    const at = now();
    if (at - last.sample >= intervals.sample) guarded('sampling', () => (gauges.sample(at), (last.sample = at)));
    if (at - last.evaluate >= intervals.evaluate) guarded('alerts', () => (evaluator.evaluate(), (last.evaluate = at)));
    if (at - last.retention >= intervals.retention) guarded('retention', () => (runRetention(), (last.retention = at)));
    // In the background: a slow or dead webhook never holds up the next evaluation.
    void outbox.deliverDue();
    if (at - last.updated >= intervals.throttle) {
      guarded('updates', () => {
        const current = version.get() as number;
        if (current !== seenVersion) {
          // An event without a write: nothing to commit, so announce through an empty transaction.
          store.write((announce) => announce('metrics:updated', { atMs: at }));
          seenVersion = current;
          last.updated = at;
        }
      });
    }
  }

  let timer: NodeJS.Timeout | undefined;
  return {
    monitor,
    tick,
    evaluateAlerts: () => evaluator.evaluate(),
    deliverNotices: () => outbox.deliverDue(),
    runRetention,
    start() {
      const poll = options.pollMs ?? 1_000;
      if (poll <= 0) return;
      timer = setInterval(tick, poll);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await outbox.stop();
    },
    restored() {
      // Rollups were re-derived from the restored executions and alert rules may differ:
      // judge alerts on the next tick and tell windows to reload the dashboard now.
      last.evaluate = -Infinity;
      outbox.restored();
      seenVersion = version.get() as number;
      store.write((announce) => announce('metrics:updated', { atMs: now() }));
    },
    handlers: {
      'metrics:summary': (query) => queries.summary(query, now()),
      'metrics:series': (query) => queries.series(query, now()),
      'metrics:drilldown': (args) => explorer.drilldown(args),
      'metrics:workflows': (args) => explorer.workflows(args, now()),
      'metrics:dimensions': () => explorer.dimensions(),
      'metrics:gauges': (args) => {
        const { fromMs, toMs } = resolveRange(args, now());
        return gauges.series(fromMs, toMs);
      },
      'metrics:decisions': (args) => {
        const { fromMs, toMs } = resolveRange(args, now());
        const times = (options.decisionTimes?.(fromMs, toMs) ?? []).sort((a, b) => a - b);
        const at = (p: number) => (times.length ? (times[nearestRank(p, times.length) - 1] ?? null) : null);
        return {
          provided: Boolean(options.decisionTimes),
          decided: times.length,
          p50Ms: at(50),
          p95Ms: at(95),
          maxMs: at(100),
        };
      },
      'metrics:prometheus': () => ({ text: prometheus(now()) }),
      'alerts:listRules': () => ({ rules: rules.listRules() }),
      // A new or changed rule is judged on the next tick, not a whole interval later.
      'alerts:createRule': (args) => ((last.evaluate = -Infinity), rules.create(args)),
      'alerts:updateRule': (args) => ((last.evaluate = -Infinity), rules.update(args)),
      'alerts:deleteRule': (args) => rules.remove(args),
      'alerts:list': (args) => rules.listAlerts(args),
      'alerts:counts': () => rules.counts(),
      'alerts:acknowledge': (args) => rules.acknowledge(args),
      'alerts:silence': (args) => rules.silence(args),
      'alerts:unsilence': (args) => rules.unsilence(args),
      ...outbox.handlers,
      'monitoring:list': (args) => monitor.list(args),
    },
  };
}
