import {
  HOLD_LIMIT_DEFAULT_MS,
  queueSettingsSchema,
  type InstanceHealth,
  type QueueJob,
  type QueueOverview,
  type QueueSettings,
} from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import { createQueueRetention } from './queue-retention';
import type { CoreContext } from '../context';
import type { Announce } from '../db/store';
import type { FeatureModule } from '../handlers';
import { JOB_STATES, type Job, type JobStore, type StateCounts } from './job-store';
import { createSqliteJobStore } from './sqlite-job-store';

/** Names and health for the Queue area, so it never shows bare ids. */
export interface QueueDirectory {
  instances(): { id: string; name: string; health: InstanceHealth }[];
  mappings(): { id: string; name: string; event: string; instanceId: string }[];
}

export interface QueueModuleOptions {
  /** Shortest gap between two `queue:changed` events, milliseconds. Default 250. */
  changedThrottleMs?: number;
  directory?: QueueDirectory;
  /** The runs follow what an operator does to their jobs (requeued → queued, canceled), in the same transaction. */
  runStatus?(announce: Announce, executionIds: number[], status: 'queued' | 'canceled'): void;
  /** Expired leases in a row before a job is dead-lettered (its attempts are not spent by them). Default 5. */
  maxExpiredLeases?: number;
  /**
   * Finished jobs older than this many days are pruned (the executions' retention setting), every
   * `intervalMs` (default 1 hour; the first a minute after start). Absent: jobs are kept.
   */
  retention?: { days(): number; intervalMs?: number; firstAfterMs?: number };
}

const SETTINGS_KEY = 'queue.holdLimitMs';
const zero = (): StateCounts => Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;

/**
 * The queue's operator surface: stats and the overview by name, job lists, pause/resume per
 * instance and mapping, requeue from dead-letter, cancel, purge and the hold limit, each audited
 * in the same transaction as the change. `jobs` is the JobStore the dispatcher's worker runs on:
 * an expired lease there does not spend an attempt (the worker vanished, n8n gave no answer), it
 * flags the job so the dispatcher looks for the run in n8n first.
 */
export function createQueueModule(
  ctx: CoreContext,
  audit: AuditLog,
  options: QueueModuleOptions = {},
): FeatureModule<'queue'> & { jobs: JobStore; holdLimitMs(): number } {
  const jobs = createSqliteJobStore({
    store: ctx.store,
    clock: ctx.clock,
    expiredLeases: { counted: false, maxInARow: options.maxExpiredLeases ?? 5 },
  });
  const { db } = ctx.store;
  const throttleMs = options.changedThrottleMs ?? 250;
  const retention = createQueueRetention(ctx.store, jobs);
  let pruneTimer: NodeJS.Timeout | undefined;
  const pruneNow = () => {
    if (!options.retention) return;
    try {
      const result = retention.run(ctx.clock.now(), options.retention.days());
      if (result.jobs > 0) {
        ctx.logger.info('Removed finished jobs older than the retention', { ...result });
        announceCounts();
      }
    } catch (error) {
      ctx.logger.warn('Could not remove old finished jobs; trying again later', { error });
    }
  };
  const schedulePrune = (delayMs: number) => {
    if (stopped || !options.retention) return;
    pruneTimer = setTimeout(() => {
      pruneNow();
      schedulePrune(options.retention?.intervalMs ?? 3_600_000);
    }, delayMs);
    pruneTimer.unref();
  };
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = false;

  const readSetting = db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck();
  const writeSetting = db.prepare(
    `INSERT INTO settings (key, value_json, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms`,
  );

  function settings(): QueueSettings {
    const raw = readSetting.get(SETTINGS_KEY) as string | undefined;
    if (raw === undefined) return { holdLimitMs: HOLD_LIMIT_DEFAULT_MS };
    try {
      const parsed = queueSettingsSchema.safeParse({ holdLimitMs: JSON.parse(raw) });
      if (parsed.success) return parsed.data;
    } catch {
      // A hand-edited value that is not JSON: the default applies, and the log says why.
    }
    ctx.logger.warn('Ignoring an invalid stored hold limit; using the default of 7 days');
    return { holdLimitMs: HOLD_LIMIT_DEFAULT_MS };
  }

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
    change: (announce: Announce) => T,
  ): T {
    return ctx.store.write((announce) => {
      const result = change(announce);
      audit.record(announce, { actor: ctx.operator(), action, targetType, targetId, reason: reason ?? null, details });
      return result;
    });
  }

  const summary = (list: Job[]) => ({ jobs: list.map(({ id, state }) => ({ id, state })) });

  /** The runs of the moved jobs follow them. */
  function follow(announce: Announce, moved: Job[], status: 'queued' | 'canceled'): void {
    const ids = moved.flatMap((j) => (j.executionId === null ? [] : [j.executionId]));
    if (ids.length === 0 || !options.runStatus) return;
    options.runStatus(announce, ids, status);
    announce('executions:changed', { ids: ids.length > 200 ? [] : ids });
  }

  const names = () => {
    const instances = new Map((options.directory?.instances() ?? []).map((i) => [i.id, i]));
    const mappings = new Map((options.directory?.mappings() ?? []).map((m) => [m.id, m]));
    return { instances, mappings };
  };

  function overview(): QueueOverview {
    const counts = jobs.counts();
    const perMapping = jobs.mappingCounts();
    const { instances, mappings } = names();
    const holds = new Map(counts.holds.map((h) => [h.instanceId, h]));
    const instanceIds = new Set([...instances.keys(), ...Object.keys(counts.byInstance), ...holds.keys()]);
    const mappingIds = new Set([...mappings.keys(), ...Object.keys(perMapping), ...counts.pausedMappings]);
    const instanceName = (id: string) => instances.get(id)?.name ?? null;
    return {
      total: counts.total,
      instances: [...instanceIds]
        .map((id) => ({
          instanceId: id,
          name: instanceName(id) ?? 'removed instance',
          removed: !instances.has(id),
          counts: counts.byInstance[id] ?? zero(),
          paused: counts.pausedInstances.includes(id),
          hold: holds.get(id) ?? null,
          health: instances.get(id)?.health ?? null,
        }))
        .sort((a, b) => Number(a.removed) - Number(b.removed) || a.name.localeCompare(b.name)),
      mappings: [...mappingIds]
        .map((id) => {
          const m = mappings.get(id);
          return {
            mappingId: id,
            name: m?.name ?? 'removed mapping',
            event: m?.event ?? null,
            instanceId: m?.instanceId ?? null,
            instanceName: m ? instanceName(m.instanceId) : null,
            removed: !m,
            counts: perMapping[id] ?? { waiting: 0, delayed: 0, active: 0, dead_lettered: 0 },
            paused: counts.pausedMappings.includes(id),
          };
        })
        .sort((a, b) => Number(a.removed) - Number(b.removed) || a.name.localeCompare(b.name)),
      holdLimitMs: settings().holdLimitMs,
    };
  }

  function list(input: {
    states: Job['state'][];
    instanceId?: string | undefined;
    mappingId?: string | undefined;
    beforeId?: number | undefined;
    limit: number;
  }): { jobs: QueueJob[] } {
    const { instances, mappings } = names();
    const held = new Set(jobs.counts().holds.map((h) => h.instanceId));
    const found = jobs.list({
      states: input.states,
      limit: input.limit,
      ...(input.instanceId !== undefined ? { instanceId: input.instanceId } : {}),
      ...(input.mappingId !== undefined ? { mappingId: input.mappingId } : {}),
      ...(input.beforeId !== undefined ? { beforeId: input.beforeId } : {}),
    });
    return {
      jobs: found.map((j) => ({
        id: j.id,
        executionId: j.executionId,
        state: j.state,
        instanceId: j.instanceId,
        instanceName: instances.get(j.instanceId)?.name ?? 'removed instance',
        mappingId: j.mappingId,
        mappingName: mappings.get(j.mappingId)?.name ?? 'removed mapping',
        priority: j.priority,
        attemptsMade: j.attemptsMade,
        maxAttempts: j.maxAttempts,
        runAtMs: j.runAtMs,
        lastError: j.lastError,
        uncertain: j.uncertain,
        held: held.has(j.instanceId) && (j.state === 'waiting' || j.state === 'delayed'),
        createdAtMs: j.createdAtMs,
        updatedAtMs: j.updatedAtMs,
        finishedAtMs: j.finishedAtMs,
      })),
    };
  }

  const requireMapping = (id: string) => {
    if (
      options.directory &&
      !options.directory.mappings().some((m) => m.id === id) &&
      !jobs.counts().pausedMappings.includes(id)
    )
      throw new AppError('NOT_FOUND', `No mapping with id ${id}; it may have been removed.`);
  };

  return {
    jobs,
    holdLimitMs: () => settings().holdLimitMs,
    handlers: {
      'queue:stats': () => jobs.counts(),
      'queue:overview': () => overview(),
      'queue:jobs': (input) => list(input),
      'queue:pause': ({ instanceId, reason }) => {
        audited('queue.pause', 'instance', instanceId, reason, {}, () => jobs.pauseInstance(instanceId));
        return jobs.counts();
      },
      'queue:resume': ({ instanceId, reason }) => {
        audited('queue.resume', 'instance', instanceId, reason, {}, () => jobs.resumeInstance(instanceId));
        return jobs.counts();
      },
      'queue:pauseMapping': ({ mappingId, reason }) => {
        requireMapping(mappingId);
        audited('queue.pause_mapping', 'mapping', mappingId, reason, {}, () => jobs.pauseMapping(mappingId));
        return jobs.counts();
      },
      'queue:resumeMapping': ({ mappingId, reason }) => {
        audited('queue.resume_mapping', 'mapping', mappingId, reason, {}, () => jobs.resumeMapping(mappingId));
        return jobs.counts();
      },
      'queue:requeueDead': ({ ids, reason }) =>
        summary(
          audited('queue.requeue_dead', 'jobs', ids.join(',').slice(0, 200), reason, { ids }, (announce) => {
            const moved = jobs.requeueDead(ids);
            follow(announce, moved, 'queued');
            return moved;
          }),
        ),
      'queue:cancel': ({ ids, reason }) =>
        summary(
          audited('queue.cancel', 'jobs', ids.join(',').slice(0, 200), reason, { ids }, (announce) => {
            const moved = jobs.cancel(ids);
            follow(announce, moved, 'canceled');
            return moved;
          }),
        ),
      'queue:purge': ({ state, instanceId, mappingId, reason }) => {
        const scope = { state, ...(instanceId ? { instanceId } : {}), ...(mappingId ? { mappingId } : {}) };
        const purged = audited('queue.purge', 'jobs', state, reason, scope, () => jobs.purge(scope));
        return { purged };
      },
      'queue:getSettings': () => settings(),
      'queue:updateSettings': ({ settings: next, reason }) => {
        audited('queue.settings', 'settings', SETTINGS_KEY, reason, { holdLimitMs: next.holdLimitMs }, () =>
          writeSetting.run(SETTINGS_KEY, JSON.stringify(next.holdLimitMs), ctx.clock.now()),
        );
        return settings();
      },
    },
    start() {
      schedulePrune(options.retention?.firstAfterMs ?? 60_000);
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
      if (pruneTimer !== undefined) clearTimeout(pruneTimer);
    },
    // Limits and pauses are read from their restored tables at every claim; jobs are not in a
    // backup. Windows get the counts afresh.
    restored: () => announceCounts(),
  };
}
