import { GAUGE_NAMES, type CallOutput, type GaugeName } from '../../../shared/contract';
import type { Store } from '../db/store';
import type { Logger } from '../logger';

/**
 * Gauge providers: other modules (the queue, approvals) report a current value on demand.
 * A gauge without a provider is never sampled, and the UI says that nothing reports it.
 */
export type GaugeProviders = Partial<Record<GaugeName, () => number>>;

export function createGauges(store: Store, providers: GaugeProviders, logger: Logger) {
  const { db } = store;
  const insert = db.prepare('INSERT OR REPLACE INTO metric_samples (gauge, at_ms, value) VALUES (?, ?, ?)');
  const between = db.prepare(
    'SELECT at_ms AS tMs, value FROM metric_samples WHERE gauge = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms',
  );
  const oldestSince = db
    .prepare('SELECT value FROM metric_samples WHERE gauge = ? AND at_ms >= ? ORDER BY at_ms LIMIT 1')
    .pluck();

  /** The provider's value now, or null when none is wired or it failed. */
  function current(name: GaugeName): number | null {
    const provider = providers[name];
    if (!provider) return null;
    try {
      const value = provider();
      return Number.isFinite(value) ? value : null;
    } catch (error) {
      logger.warn('A gauge provider failed', { gauge: name, error });
      return null;
    }
  }

  /** Stores one sample of every provided gauge. */
  function sample(now: number): number {
    let written = 0;
    store.write(() => {
      for (const name of GAUGE_NAMES) {
        const value = current(name);
        if (value === null) continue;
        insert.run(name, now, value);
        written++;
      }
    });
    return written;
  }

  /** Current value minus the oldest sample since `sinceMs`; null without a provider. */
  function growth(name: GaugeName, sinceMs: number): number | null {
    const now = current(name);
    if (now === null) return null;
    const then = oldestSince.get(name, sinceMs) as number | undefined;
    return then === undefined ? 0 : now - then;
  }

  function series(fromMs: number, toMs: number): CallOutput<'metrics:gauges'> {
    return {
      gauges: GAUGE_NAMES.map((name) => ({
        name,
        provided: providers[name] !== undefined,
        points: between.all(name, fromMs, toMs) as { tMs: number; value: number }[],
      })),
    };
  }

  return { current, sample, growth, series };
}

export type Gauges = ReturnType<typeof createGauges>;
