import { TERMINAL_STATUSES } from '../../../shared/contract';
import type { Store } from '../db/store';
import type { MonitoringLog } from './monitoring-log';

const DAY_MS = 86_400_000;
/** Executions are deleted in batches so one run never holds the write lock for long. */
const BATCH = 2_000;
const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');

export interface RetentionResult {
  cutoffMs: number;
  executions: number;
  monitoringEvents: number;
  samples: number;
  rollups: number;
  alerts: number;
}

/**
 * Deletes what is older than Settings.retentionDays: monitoring events, gauge samples,
 * rollup buckets that end before the cutoff, resolved alerts, and terminal executions (created
 * and finished before the cutoff). Runs that are still going are never deleted, however old.
 */
export function createRetention(store: Store, monitor: MonitoringLog) {
  const { db } = store;
  const deleteExecutions = db.prepare(`DELETE FROM executions WHERE id IN (
    SELECT id FROM executions WHERE created_at_ms < @cutoff AND coalesce(finished_at_ms, created_at_ms) < @cutoff
      AND status IN (${TERMINAL_SQL}) LIMIT ${BATCH})`);
  const deletes = {
    monitoringEvents: db.prepare('DELETE FROM monitoring_events WHERE at_ms < @cutoff'),
    samples: db.prepare('DELETE FROM metric_samples WHERE at_ms < @cutoff'),
    rollups: db.prepare('DELETE FROM metric_rollups WHERE bucket_ms + grain_ms <= @cutoff'),
    alerts: db.prepare("DELETE FROM alerts WHERE state = 'resolved' AND resolved_at_ms < @cutoff"),
  };

  function run(now: number, retentionDays: number): RetentionResult {
    const cutoff = now - retentionDays * DAY_MS;
    const result: RetentionResult = store.write(() => ({
      cutoffMs: cutoff,
      executions: 0,
      monitoringEvents: deletes.monitoringEvents.run({ cutoff }).changes,
      samples: deletes.samples.run({ cutoff }).changes,
      rollups: deletes.rollups.run({ cutoff }).changes,
      alerts: deletes.alerts.run({ cutoff }).changes,
    }));
    // Executions last and on their own: another module's table may still reference an old run
    // (a foreign key without cascade); that must not stop the cleanup of everything else.
    let failure: string | undefined;
    try {
      for (;;) {
        const changed = store.write(() => deleteExecutions.run({ cutoff }).changes);
        result.executions += changed;
        if (changed < BATCH) break;
      }
    } catch (error) {
      failure = (error as Error).message;
    }
    const total = result.executions + result.monitoringEvents + result.samples + result.rollups + result.alerts;
    if (total > 0 || failure) {
      store.write((announce) => {
        if (failure) {
          monitor.record(announce, {
            severity: 'warn',
            kind: 'retention.failed',
            message: `Old executions could not be removed: ${failure}`,
            fields: { cutoffMs: cutoff },
          });
        }
        if (total > 0) {
          monitor.record(announce, {
            severity: 'info',
            kind: 'retention.run',
            message: `Removed history older than ${retentionDays} days.`,
            fields: { ...result },
          });
        }
      });
    }
    return result;
  }

  return { run };
}
