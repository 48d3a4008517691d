import { ManualClock } from './manual-clock';
import { createAuditLog } from '../audit/audit-log';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { silentLogger } from '../logger';
import { tempDir } from './test-core';
import { createMetricsModule, type MetricsOptions } from '../metrics/metrics-module';

/**
 * The metrics module on a real SQLite file with a manual clock, for tests that drive its
 * background work (alerts, retention) by hand. Events published after commit are collected.
 */
export function metricsOnDisk(options: MetricsOptions & { retentionDays?: number } = {}) {
  const dir = tempDir('flightdeck-metrics-');
  const clock = new ManualClock(Date.UTC(2026, 0, 10, 12));
  const bus = new EventBus();
  const store = openStore({ dataDir: dir.path, bus, migrations, now: () => clock.now() });
  const events: { event: string; payload: unknown }[] = [];
  bus.subscribe((event, payload) => events.push({ event, payload }));
  const audit = createAuditLog(store, () => clock.now());
  let retentionDays = options.retentionDays ?? 30;
  const module = createMetricsModule(
    { store, clock, logger: silentLogger, dataDir: dir.path, operator: () => 'ana' },
    { audit, retentionDays: () => retentionDays },
    { pollMs: 0, ...options },
  );
  return {
    store,
    db: store.db,
    clock,
    audit,
    module,
    events,
    setRetentionDays: (days: number) => (retentionDays = days),
    cleanup() {
      module.stop?.();
      store.close();
      dir.remove();
    },
  };
}
