import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import type { Job, JobStore } from './job-store';
import { createSqliteJobStore } from './sqlite-job-store';

export interface QueueModuleOptions {
  /** Shortest gap between two `queue:changed` events, milliseconds. Default 250. */
  changedThrottleMs?: number;
}

/**
 * The queue's operator surface: stats, pause/resume per instance, requeue from dead-letter and
 * cancel, each audited in the same transaction as the change. `jobs` is the JobStore the
 * dispatcher's worker runs on.
 */
export function createQueueModule(
  ctx: CoreContext,
  audit: AuditLog,
  options: QueueModuleOptions = {},
): FeatureModule<'queue'> & { jobs: JobStore } {
  const jobs = createSqliteJobStore({ store: ctx.store, clock: ctx.clock });
  const throttleMs = options.changedThrottleMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = false;

  /** Counts are read and announced through a write so they follow the commits they describe. */
  function announceCounts(): void {
    timer = undefined;
    if (stopped) return;
    try {
      ctx.store.write((announce) => announce('queue:changed', jobs.counts()));
    } catch (error) {
      ctx.logger.warn('Could not publish queue counts', { error });
    }
  }

  function audited<T>(
    action: string,
    targetType: string,
    targetId: string,
    reason: string | undefined,
    details: Record<string, unknown>,
    change: () => T,
  ): T {
    return ctx.store.write((announce) => {
      const result = change();
      audit.record(announce, { actor: ctx.operator(), action, targetType, targetId, reason: reason ?? null, details });
      return result;
    });
  }

  const summary = (list: Job[]) => ({ jobs: list.map(({ id, state }) => ({ id, state })) });

  return {
    jobs,
    handlers: {
      'queue:stats': () => jobs.counts(),
      'queue:pause': ({ instanceId, reason }) => {
        audited('queue.pause', 'instance', instanceId, reason, {}, () => jobs.pauseInstance(instanceId));
        return jobs.counts();
      },
      'queue:resume': ({ instanceId, reason }) => {
        audited('queue.resume', 'instance', instanceId, reason, {}, () => jobs.resumeInstance(instanceId));
        return jobs.counts();
      },
      'queue:requeueDead': ({ ids, reason }) =>
        summary(
          audited('queue.requeue_dead', 'jobs', ids.join(',').slice(0, 200), reason, { ids }, () =>
            jobs.requeueDead(ids),
          ),
        ),
      'queue:cancel': ({ ids, reason }) =>
        summary(audited('queue.cancel', 'jobs', ids.join(',').slice(0, 200), reason, { ids }, () => jobs.cancel(ids))),
    },
    start() {
      unsubscribe = jobs.onChange(() => {
        if (timer === undefined && !stopped) {
          timer = setTimeout(announceCounts, throttleMs);
          timer.unref();
        }
      });
    },
    stop() {
      stopped = true;
      unsubscribe?.();
      if (timer !== undefined) clearTimeout(timer);
    },
    // Limits and pauses are read from their restored tables at every claim; jobs are not in a
    // backup. Windows get the counts afresh.
    restored: () => announceCounts(),
  };
}
