/**
 * The claim side of the SQLite job store: lease expiry (crash recovery), promotion of due delayed
 * jobs, and the batch claim that honours pause, priority and per-group limits. Everything here
 * runs inside the caller's IMMEDIATE transaction.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { toJob, type JobRow } from './job-rows';
import type { ClaimedJob } from './job-store';

interface LimitRow {
  scope: 'instance' | 'mapping';
  scope_id: string;
  concurrency: number | null;
  rate_max: number | null;
  rate_window_ms: number | null;
  window_start_ms: number;
  window_count: number;
}

/** A group's remaining room in this claim: the smaller of concurrency and rate headroom. */
interface Room {
  row: LimitRow;
  left: number;
}

export const LEASE_EXPIRED_ERROR = 'The worker stopped or crashed during this attempt (its lease expired).';

/**
 * What an expired lease costs. `counted` (BullMQ's rule, the default): the attempt counts, and a
 * job whose last attempt expired is dead-lettered. Not counted: the worker vanished and its target
 * gave no answer, so the attempt is given back; the job returns flagged `uncertain` (the next
 * claim checks whether the attempt took effect) and is dead-lettered only after `maxInARow`
 * expiries in a row, so a job that kills its worker every time still ends.
 */
export type ExpiredLeasePolicy = { counted: true } | { counted: false; maxInARow: number };

/** Claimable: not paused (instance or mapping) and not held. Shared by both claim paths. */
const OPEN_GROUPS = `instance_id NOT IN (SELECT instance_id FROM queue_paused)
       AND instance_id NOT IN (SELECT instance_id FROM queue_holds)
       AND mapping_id NOT IN (SELECT mapping_id FROM queue_paused_mappings)`;

export function createClaimer(
  db: Database.Database,
  newToken: () => string = randomUUID,
  expiredPolicy: ExpiredLeasePolicy = { counted: true },
) {
  const selectExpired = db.prepare(
    `SELECT id, attempts_made, max_attempts, attempt_seq, attempt_started_at_ms, expired_leases FROM jobs
     WHERE state = 'active' AND lease_expires_at_ms <= ?`,
  );
  const expireAttempt = db.prepare(
    `INSERT INTO job_attempts (job_id, attempt, started_at_ms, finished_at_ms, outcome, error)
     VALUES (?, ?, ?, ?, 'lease_expired', ?)`,
  );
  // `given` is 1 when the expired attempt does not count (ExpiredLeasePolicy).
  const requeueExpired = db.prepare(
    `UPDATE jobs SET state = 'waiting', run_at_ms = ?, lease_token = NULL, lease_expires_at_ms = NULL,
       last_error = ?, updated_at_ms = ?, uncertain = 1, expired_leases = expired_leases + 1,
       attempts_made = attempts_made - ? WHERE id = ?`,
  );
  const deadLetterExpired = db.prepare(
    `UPDATE jobs SET state = 'dead_lettered', lease_token = NULL, lease_expires_at_ms = NULL,
       last_error = ?, updated_at_ms = ?, finished_at_ms = ?, uncertain = 1, expired_leases = expired_leases + 1
     WHERE id = ?`,
  );
  const promoteDue = db.prepare(
    `UPDATE jobs SET state = 'waiting', updated_at_ms = ? WHERE state = 'delayed' AND run_at_ms <= ?`,
  );
  const hasLimits = db.prepare('SELECT EXISTS (SELECT 1 FROM queue_limits)').pluck();
  const selectLimits = db.prepare('SELECT * FROM queue_limits');
  const selectActiveGroups = db.prepare(`SELECT instance_id, mapping_id FROM jobs WHERE state = 'active'`);
  const saveWindow = db.prepare(
    'UPDATE queue_limits SET window_start_ms = ?, window_count = ? WHERE scope = ? AND scope_id = ?',
  );
  // Paused instances and groups out of room are excluded in SQL, so a blocked group at the head
  // of the queue never starves the others behind it.
  const selectWaiting = db.prepare(
    `SELECT instance_id, mapping_id, id FROM jobs WHERE state = 'waiting'
       AND ${OPEN_GROUPS}
       AND instance_id NOT IN (SELECT value FROM json_each(?))
       AND mapping_id NOT IN (SELECT value FROM json_each(?))
     ORDER BY priority, id LIMIT ?`,
  );
  // Activation is one statement per claim, not one per job. The lease token is this claim's
  // random token joined with the job id: unique per (job, claim), as a token per job would be.
  // The payload is read here, once per claim, from its own table (0020_perf).
  const RETURNING = `RETURNING *, coalesce((SELECT payload_json FROM job_payloads WHERE job_id = jobs.id), 'null') AS payload_json`;
  const ACTIVATE = `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1, attempt_seq = attempt_seq + 1,
       attempt_started_at_ms = ?, lease_token = ? || '.' || id, lease_expires_at_ms = ?, updated_at_ms = ?`;
  const activateNext = db.prepare(
    `${ACTIVATE} WHERE id IN (SELECT id FROM jobs WHERE state = 'waiting'
       AND ${OPEN_GROUPS} ORDER BY priority, id LIMIT ?)
     ${RETURNING}`,
  );
  const activateIds = db.prepare(`${ACTIVATE} WHERE id IN (SELECT value FROM json_each(?)) ${RETURNING}`);

  /**
   * Active jobs whose lease ran out go back to waiting, flagged uncertain, or to dead-letter once
   * the expiry policy says they are spent.
   */
  function recoverExpired(now: number): number {
    const expired = selectExpired.all(now) as Pick<
      JobRow,
      'id' | 'attempts_made' | 'max_attempts' | 'attempt_seq' | 'attempt_started_at_ms' | 'expired_leases'
    >[];
    for (const job of expired) {
      expireAttempt.run(job.id, job.attempt_seq, job.attempt_started_at_ms ?? now, now, LEASE_EXPIRED_ERROR);
      const spent = expiredPolicy.counted
        ? job.attempts_made >= job.max_attempts
        : job.expired_leases + 1 >= expiredPolicy.maxInARow;
      if (spent) {
        const why = expiredPolicy.counted
          ? LEASE_EXPIRED_ERROR
          : `${LEASE_EXPIRED_ERROR} This happened ${job.expired_leases + 1} times in a row: the job stops here.`;
        deadLetterExpired.run(why, now, now, job.id);
      } else requeueExpired.run(now, LEASE_EXPIRED_ERROR, now, expiredPolicy.counted ? 0 : 1, job.id);
    }
    return expired.length;
  }

  /** Room per group key (`instance:<id>` / `mapping:<id>`); groups without limits are absent. */
  function roomByGroup(now: number): Map<string, Room> {
    const rooms = new Map<string, Room>();
    const rows = selectLimits.all() as LimitRow[];
    const active = new Map<string, number>();
    if (rows.some((r) => r.concurrency !== null)) {
      for (const a of selectActiveGroups.all() as { instance_id: string; mapping_id: string }[]) {
        active.set(`instance:${a.instance_id}`, (active.get(`instance:${a.instance_id}`) ?? 0) + 1);
        active.set(`mapping:${a.mapping_id}`, (active.get(`mapping:${a.mapping_id}`) ?? 0) + 1);
      }
    }
    for (const row of rows) {
      const key = `${row.scope}:${row.scope_id}`;
      let left = Infinity;
      if (row.concurrency !== null) left = row.concurrency - (active.get(key) ?? 0);
      if (row.rate_max !== null && row.rate_window_ms !== null) {
        if (now >= row.window_start_ms + row.rate_window_ms) {
          row.window_start_ms = now;
          row.window_count = 0;
        }
        left = Math.min(left, row.rate_max - row.window_count);
      }
      rooms.set(key, { row, left });
    }
    return rooms;
  }

  type Candidate = Pick<JobRow, 'id' | 'instance_id' | 'mapping_id'>;

  /** The ids to claim when limits apply: the waiting jobs in order that fit their groups' room. */
  function idsWithinLimits(limit: number, now: number): number[] {
    const rooms = roomByGroup(now);
    const blocked = { instance: new Set<string>(), mapping: new Set<string>() };
    for (const { row, left } of rooms.values()) if (left <= 0) blocked[row.scope].add(row.scope_id);
    const taken: number[] = [];
    while (taken.length < limit) {
      const want = limit - taken.length;
      const rows = selectWaiting.all(
        JSON.stringify([...blocked.instance]),
        JSON.stringify([...blocked.mapping]),
        want,
      ) as Candidate[];
      for (const row of rows) {
        const groups = [rooms.get(`instance:${row.instance_id}`), rooms.get(`mapping:${row.mapping_id}`)];
        if (groups.some((g) => g !== undefined && g.left <= 0)) continue; // filled earlier in this batch
        for (const g of groups) {
          if (!g) continue;
          g.left -= 1;
          g.row.window_count += 1;
          if (g.left <= 0) blocked[g.row.scope].add(g.row.scope_id);
        }
        taken.push(row.id);
      }
      if (rows.length < want) break;
    }
    for (const { row } of rooms.values()) {
      if (row.rate_max !== null) saveWindow.run(row.window_start_ms, row.window_count, row.scope, row.scope_id);
    }
    return taken;
  }

  let housekept = 0;

  /** Recovers expired leases, promotes due jobs, then claims up to `limit`. Call inside a transaction. */
  function claim(limit: number, leaseMs: number, now: number): ClaimedJob[] {
    housekept = recoverExpired(now) + promoteDue.run(now, now).changes;
    const token = newToken();
    const leaseExpiresAtMs = now + leaseMs;
    let rows: JobRow[];
    if (!hasLimits.get()) {
      rows = activateNext.all(now, token, leaseExpiresAtMs, now, limit) as JobRow[];
    } else {
      const ids = idsWithinLimits(limit, now);
      rows = ids.length ? (activateIds.all(now, token, leaseExpiresAtMs, now, JSON.stringify(ids)) as JobRow[]) : [];
    }
    // RETURNING gives no order; hand jobs out in claim order (priority, then FIFO).
    rows.sort((a, b) => a.priority - b.priority || a.id - b.id);
    return rows.map((row) =>
      Object.assign(toJob(row), { leaseToken: row.lease_token ?? '', attempt: row.attempt_seq }),
    );
  }

  /** Jobs the last claim() moved before claiming (expired leases, due delayed jobs). */
  const lastHousekept = () => housekept;

  return { claim, recoverExpired, lastHousekept };
}
