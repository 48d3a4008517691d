/**
 * The operator side of the SQLite job store: requeue, cancel, pause, limits, listing and counts.
 * Changes are all-or-nothing and run through the store's `write` (one IMMEDIATE transaction).
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import {
  invalid,
  JOB_COLUMNS,
  JOBS_WITH_PAYLOAD,
  requireIds,
  requireInt,
  requireText,
  toJob,
  type JobRow,
} from './job-rows';
import {
  JOB_STATES,
  type GroupLimits,
  type InstanceHold,
  type Job,
  type JobState,
  type JobStore,
  type LimitScope,
  type ListJobsQuery,
  type MappingCounts,
  type PurgeOptions,
  type QueueCounts,
  type StateCounts,
} from './job-store';

const DAY_MS = 24 * 3_600_000;

type AdminPart = Pick<
  JobStore,
  | 'requeueDead'
  | 'cancel'
  | 'pauseInstance'
  | 'resumeInstance'
  | 'setLimits'
  | 'getLimits'
  | 'list'
  | 'counts'
  | 'mappingCounts'
  | 'purgeFinished'
  | 'purge'
  | 'holdInstance'
  | 'liftHold'
  | 'expireHeld'
  | 'pauseMapping'
  | 'resumeMapping'
>;

interface HoldRow {
  instance_id: string;
  reason: string;
  since_ms: number;
}
const toHold = (r: HoldRow): InstanceHold => ({ instanceId: r.instance_id, reason: r.reason, sinceMs: r.since_ms });

const PURGE_BATCH = 2_000;

export function createAdmin(db: Database.Database, clock: Clock, write: <T>(fn: () => T) => T): AdminPart {
  const purgeBatch = db.prepare(`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
      WHERE state IN (SELECT value FROM json_each(?)) AND finished_at_ms < ? ORDER BY id LIMIT ?)`);
  const selectStates = db.prepare('SELECT id, state FROM jobs WHERE id IN (SELECT value FROM json_each(?))');
  const requeue = db.prepare(
    `UPDATE jobs SET state = 'waiting', attempts_made = 0, expired_leases = 0, run_at_ms = ?, updated_at_ms = ?,
       finished_at_ms = NULL
     WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const cancelJobs = db.prepare(
    `UPDATE jobs SET state = 'canceled', updated_at_ms = ?, finished_at_ms = ?
     WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const selectMany = db.prepare(
    `SELECT ${JOB_COLUMNS} FROM ${JOBS_WITH_PAYLOAD} WHERE jobs.id IN (SELECT value FROM json_each(?)) ORDER BY jobs.id`,
  );
  const pause = db.prepare('INSERT OR IGNORE INTO queue_paused (instance_id, paused_at_ms) VALUES (?, ?)');
  const resume = db.prepare('DELETE FROM queue_paused WHERE instance_id = ?');
  const selectPaused = db.prepare('SELECT instance_id FROM queue_paused ORDER BY instance_id').pluck();
  const upsertLimits = db.prepare(
    `INSERT INTO queue_limits (scope, scope_id, concurrency, rate_max, rate_window_ms, updated_at_ms)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (scope, scope_id) DO UPDATE SET concurrency = excluded.concurrency, rate_max = excluded.rate_max,
       rate_window_ms = excluded.rate_window_ms, updated_at_ms = excluded.updated_at_ms`,
  );
  const deleteLimits = db.prepare('DELETE FROM queue_limits WHERE scope = ? AND scope_id = ?');
  const selectLimits = db.prepare(
    'SELECT concurrency, rate_max, rate_window_ms FROM queue_limits WHERE scope = ? AND scope_id = ?',
  );
  const countStates = db.prepare('SELECT instance_id, state, COUNT(*) AS n FROM jobs GROUP BY instance_id, state');
  // One scan per state through its partial index (jobs_waiting, jobs_delayed, jobs_active,
  // jobs_dead_lettered): never a pass over every finished job.
  const countByMapping = db.prepare(
    `SELECT mapping_id, 'waiting' AS state, COUNT(*) AS n FROM jobs WHERE state = 'waiting' GROUP BY mapping_id
     UNION ALL SELECT mapping_id, 'delayed', COUNT(*) FROM jobs WHERE state = 'delayed' GROUP BY mapping_id
     UNION ALL SELECT mapping_id, 'active', COUNT(*) FROM jobs WHERE state = 'active' GROUP BY mapping_id
     UNION ALL SELECT mapping_id, 'dead_lettered', COUNT(*) FROM jobs WHERE state = 'dead_lettered' GROUP BY mapping_id`,
  );
  const selectHolds = db.prepare('SELECT instance_id, reason, since_ms FROM queue_holds ORDER BY instance_id');
  const upsertHold = db.prepare(
    `INSERT INTO queue_holds (instance_id, reason, since_ms) VALUES (?, ?, ?)
     ON CONFLICT (instance_id) DO UPDATE SET reason = excluded.reason`,
  );
  const deleteHold = db.prepare('DELETE FROM queue_holds WHERE instance_id = ?');
  const selectOverdue = db.prepare(
    `SELECT j.id FROM jobs j JOIN queue_holds h ON h.instance_id = j.instance_id
     WHERE j.state IN ('waiting', 'delayed') AND h.instance_id = ? AND max(j.created_at_ms, h.since_ms) <= ?`,
  );
  const deadLetterMany = db.prepare(
    `UPDATE jobs SET state = 'dead_lettered', last_error = ?, updated_at_ms = ?, finished_at_ms = ?
     WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const pauseMapping = db.prepare(
    'INSERT OR IGNORE INTO queue_paused_mappings (mapping_id, paused_at_ms) VALUES (?, ?)',
  );
  const resumeMapping = db.prepare('DELETE FROM queue_paused_mappings WHERE mapping_id = ?');
  const selectPausedMappings = db.prepare('SELECT mapping_id FROM queue_paused_mappings ORDER BY mapping_id').pluck();

  /** All ids must exist and be in one of `allowed`, or nothing changes. */
  function checkStates(ids: number[], allowed: readonly JobState[], verb: string): string {
    const json = JSON.stringify(ids);
    const rows = selectStates.all(json) as { id: number; state: JobState }[];
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) throw new AppError('NOT_FOUND', `No job with id ${missing.slice(0, 10).join(', ')}.`);
    const wrong = rows.filter((r) => !allowed.includes(r.state));
    if (wrong.length) {
      const list = wrong.slice(0, 10).map((r) => `${r.id} (${r.state})`);
      throw new AppError(
        'CONFLICT',
        `Only ${allowed.join(' or ')} jobs can be ${verb}; not ${list.join(', ')}. Nothing was changed.`,
      );
    }
    return json;
  }

  function requeueDead(ids: number[]): Job[] {
    const unique = requireIds(ids);
    const now = clock.now();
    return write(() => {
      const json = checkStates(unique, ['dead_lettered'], 'requeued');
      requeue.run(now, now, json);
      return (selectMany.all(json) as JobRow[]).map(toJob);
    });
  }

  function cancel(ids: number[]): Job[] {
    const unique = requireIds(ids);
    const now = clock.now();
    return write(() => {
      const json = checkStates(unique, ['waiting', 'delayed'], 'canceled');
      cancelJobs.run(now, now, json);
      return (selectMany.all(json) as JobRow[]).map(toJob);
    });
  }

  function setLimits(scope: LimitScope, scopeId: string, limits: GroupLimits): void {
    if (scope !== 'instance' && scope !== 'mapping') throw invalid('scope must be "instance" or "mapping".');
    requireText(scopeId, `${scope} id`);
    const concurrency = limits?.concurrency == null ? null : requireInt(limits.concurrency, 'concurrency', 1, 10_000);
    const rate = limits?.rate ?? null;
    if (rate !== null) {
      requireInt(rate.max, 'rate.max', 1, 1_000_000);
      requireInt(rate.windowMs, 'rate.windowMs', 1, DAY_MS);
    }
    write(() => {
      if (concurrency === null && rate === null) deleteLimits.run(scope, scopeId);
      else upsertLimits.run(scope, scopeId, concurrency, rate?.max ?? null, rate?.windowMs ?? null, clock.now());
    });
  }

  function getLimits(scope: LimitScope, scopeId: string): GroupLimits {
    const row = selectLimits.get(scope, scopeId) as
      { concurrency: number | null; rate_max: number | null; rate_window_ms: number | null } | undefined;
    if (!row) return { concurrency: null, rate: null };
    const rate =
      row.rate_max !== null && row.rate_window_ms !== null ? { max: row.rate_max, windowMs: row.rate_window_ms } : null;
    return { concurrency: row.concurrency, rate };
  }

  function list(query: ListJobsQuery = {}): Job[] {
    const limit = requireInt(query.limit ?? 100, 'limit', 1, 1000);
    const where: string[] = [];
    const params: Record<string, unknown> = { limit };
    if (query.states !== undefined) {
      if (!Array.isArray(query.states) || query.states.some((s) => !JOB_STATES.includes(s))) {
        throw invalid(`states must be a list of ${JOB_STATES.join(', ')}.`);
      }
      where.push('state IN (SELECT value FROM json_each(@states))');
      params.states = JSON.stringify(query.states);
    }
    if (query.instanceId !== undefined) {
      where.push('instance_id = @instanceId');
      params.instanceId = requireText(query.instanceId, 'instanceId');
    }
    if (query.mappingId !== undefined) {
      where.push('mapping_id = @mappingId');
      params.mappingId = requireText(query.mappingId, 'mappingId');
    }
    if (query.beforeId !== undefined) {
      where.push('id < @beforeId');
      params.beforeId = requireInt(query.beforeId, 'beforeId', 1, Number.MAX_SAFE_INTEGER);
    }
    const sql = `SELECT ${JOB_COLUMNS} FROM ${JOBS_WITH_PAYLOAD} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY jobs.id DESC LIMIT @limit`;
    return (db.prepare(sql).all(params) as JobRow[]).map(toJob);
  }

  const zero = (): StateCounts => Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as StateCounts;

  function counts(): QueueCounts {
    const total = zero();
    const byInstance: Record<string, StateCounts> = {};
    for (const row of countStates.all() as { instance_id: string; state: JobState; n: number }[]) {
      total[row.state] += row.n;
      (byInstance[row.instance_id] ??= zero())[row.state] = row.n;
    }
    return {
      total,
      byInstance,
      pausedInstances: selectPaused.all() as string[],
      pausedMappings: selectPausedMappings.all() as string[],
      holds: (selectHolds.all() as HoldRow[]).map(toHold),
    };
  }

  function mappingCounts(): MappingCounts {
    const out: MappingCounts = {};
    for (const row of countByMapping.all() as { mapping_id: string; state: keyof MappingCounts[string]; n: number }[]) {
      (out[row.mapping_id] ??= { waiting: 0, delayed: 0, active: 0, dead_lettered: 0 })[row.state] = row.n;
    }
    return out;
  }

  function expireHeld(cutoffMs: number, reason: (hold: InstanceHold) => string): Job[] {
    requireInt(cutoffMs, 'cutoffMs', 0, Number.MAX_SAFE_INTEGER);
    const now = clock.now();
    return write(() => {
      const expired: Job[] = [];
      for (const hold of (selectHolds.all() as HoldRow[]).map(toHold)) {
        const ids = selectOverdue.all(hold.instanceId, cutoffMs).map((r) => (r as { id: number }).id);
        if (ids.length === 0) continue;
        const json = JSON.stringify(ids);
        deadLetterMany.run(requireText(reason(hold), 'reason', 10_000), now, now, json);
        expired.push(...(selectMany.all(json) as JobRow[]).map(toJob));
      }
      return expired;
    });
  }

  function purge(options: PurgeOptions): number {
    if (!['completed', 'canceled', 'dead_lettered'].includes(options?.state)) {
      throw invalid('Only completed, canceled or dead-lettered jobs can be purged.');
    }
    const where = ['state = @state'];
    const params: Record<string, unknown> = { state: options.state };
    if (options.instanceId !== undefined) {
      where.push('instance_id = @instanceId');
      params.instanceId = requireText(options.instanceId, 'instanceId');
    }
    if (options.mappingId !== undefined) {
      where.push('mapping_id = @mappingId');
      params.mappingId = requireText(options.mappingId, 'mappingId');
    }
    return write(() => db.prepare(`DELETE FROM jobs WHERE ${where.join(' AND ')}`).run(params).changes);
  }

  return {
    requeueDead,
    cancel,
    pauseInstance: (instanceId) => {
      requireText(instanceId, 'instanceId');
      write(() => pause.run(instanceId, clock.now()));
    },
    resumeInstance: (instanceId) => {
      requireText(instanceId, 'instanceId');
      write(() => resume.run(instanceId));
    },
    holdInstance: (hold) => {
      requireText(hold?.instanceId, 'instanceId');
      requireText(hold.reason, 'reason', 10_000);
      requireInt(hold.sinceMs, 'sinceMs', 0, Number.MAX_SAFE_INTEGER);
      write(() => upsertHold.run(hold.instanceId, hold.reason, hold.sinceMs));
    },
    liftHold: (instanceId) => {
      requireText(instanceId, 'instanceId');
      write(() => deleteHold.run(instanceId));
    },
    expireHeld,
    pauseMapping: (mappingId) => {
      requireText(mappingId, 'mappingId');
      write(() => pauseMapping.run(mappingId, clock.now()));
    },
    resumeMapping: (mappingId) => {
      requireText(mappingId, 'mappingId');
      write(() => resumeMapping.run(mappingId));
    },
    setLimits,
    getLimits,
    list,
    counts,
    mappingCounts,
    purge,
    // In batches (each its own short write) and in id order: old jobs come first, so a batch
    // stops early instead of scanning every job (finished_at_ms has no index on the hot path).
    // Payloads, attempts and keys go with their jobs (ON DELETE CASCADE).
    purgeFinished: ({ finishedBeforeMs, includeDeadLettered }) => {
      requireInt(finishedBeforeMs, 'finishedBeforeMs', 0, Number.MAX_SAFE_INTEGER);
      const states = includeDeadLettered ? ['completed', 'canceled', 'dead_lettered'] : ['completed', 'canceled'];
      let purged = 0;
      for (;;) {
        const deleted = write(() => purgeBatch.run(JSON.stringify(states), finishedBeforeMs, PURGE_BATCH).changes);
        purged += deleted;
        if (deleted < PURGE_BATCH) return purged;
      }
    },
  };
}
