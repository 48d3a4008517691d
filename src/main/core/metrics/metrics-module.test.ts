import { afterEach, describe, expect, it } from 'vitest';
import { metricsOnDisk } from '../testing/metrics-kit';

const cleanups: (() => unknown)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

describe('the metrics background tick', () => {
  it('survives a failing update announcement (it runs in a timer: a throw would end the process)', () => {
    const t = metricsOnDisk();
    cleanups.push(t.cleanup);
    // The version the tick reads to announce updates cannot be read (a broken or locked store).
    t.db.exec('ALTER TABLE metric_state RENAME TO metric_state_away');
    t.clock.advance(60_000);
    expect(() => t.module.tick()).not.toThrow();
    const kinds = t.db.prepare('SELECT kind FROM monitoring_events').pluck().all();
    expect(kinds).toContain('metrics.updates_failed');
  });
});
