import type { SyncLogEntry } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { CoreContext } from '../context';
import type { InstancesService } from '../instances/instances-service';
import type { N8nClient } from './client';
import { createRemoteStore } from './remote-store';
import { systemTimers, type Timers } from '../timers';

export interface SyncOptions {
  /** Between successful passes of one instance (ms). Default 60 000. */
  intervalMs?: number;
  /** First delay after a failed pass (ms), doubled per consecutive failure, ±20 % jitter. Default 5 000. */
  retryBaseMs?: number;
  /** Longest delay between attempts while an instance stays unreachable (ms). Default 900 000. */
  maxBackoffMs?: number;
  /** Executions below the last pass's highest id that are read again (n8n lists running ones late). Default 100. */
  overlapIds?: number;
  /** Executions per page (n8n allows up to 250). Default 250. */
  pageSize?: number;
  timers?: Timers;
  random?: () => number;
  /** Called after each stored page: progress for the UI, and a hook for tests and benches. */
  onPage?: (instanceId: string, progress: { pages: number; executions: number }) => void | Promise<void>;
}

interface LogRow {
  id: number;
  instance_id: string;
  started_at_ms: number;
  duration_ms: number;
  outcome: 'ok' | 'failed';
  workflows: number;
  executions: number;
  error_code: string | null;
  error: string | null;
}

const toEntry = (r: LogRow): SyncLogEntry => ({
  id: r.id,
  instanceId: r.instance_id,
  startedAtMs: r.started_at_ms,
  durationMs: r.duration_ms,
  outcome: r.outcome,
  workflows: r.workflows,
  executions: r.executions,
  errorCode: r.error_code,
  error: r.error,
});

/**
 * Two-way sync with n8n, one background loop per instance. A pass stores workflows, then reads
 * executions newest first until it reaches what the last complete pass stored (minus an
 * overlap), each page in its own transaction. The high-water mark only moves when a pass
 * completes, and upserts are keyed on (instance, n8n id): a connection that drops mid-pass
 * loses nothing (the next pass reads again) and duplicates nothing.
 */
export function createSync(
  ctx: CoreContext,
  instances: InstancesService,
  clientFor: (instanceId: string) => N8nClient,
  options: SyncOptions = {},
) {
  const { db } = ctx.store;
  const now = () => ctx.clock.now();
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const intervalMs = options.intervalMs ?? 60_000;
  const retryBaseMs = options.retryBaseMs ?? 5_000;
  const maxBackoffMs = options.maxBackoffMs ?? 900_000;
  const overlap = options.overlapIds ?? 100;
  const pageSize = options.pageSize ?? 250;
  const remote = createRemoteStore(db);
  const running = new Map<string, Promise<SyncLogEntry>>();
  const scheduled = new Map<string, unknown>();
  /** Instances whose pass must stop at the next page, and why (being removed, or restored). */
  const aborted = new Map<string, AppError>();
  /** Background loop running (start() called, stop() not yet). */
  let looping = false;
  /** Set by stop(): passes in flight give up at the next page. */
  let shuttingDown = false;

  const highWater = (id: string) =>
    (db.prepare('SELECT exec_high_water FROM instance_sync_state WHERE instance_id = ?').pluck().get(id) as
      number | undefined) ?? 0;

  async function syncExecutions(id: string, client: N8nClient, counts: { executions: number }) {
    const floor = Math.max(0, highWater(id) - overlap);
    let maxSeen = highWater(id);
    let pages = 0;
    // n8n lists newest first: paging stops at the page that reaches the floor.
    for await (const page of client.executionPages({ limit: pageSize, ...(floor > 0 ? { stopAtId: floor } : {}) })) {
      if (shuttingDown) throw new AppError('UNAVAILABLE', 'Sync stopped: Flightdeck is shutting down.');
      const abort = aborted.get(id);
      if (abort) throw abort;
      ctx.store.write(() => void (counts.executions += remote.upsertExecutions(id, page.data, now())));
      for (const e of page.data) if (Number(e.id) > maxSeen) maxSeen = Number(e.id);
      await options.onPage?.(id, { pages: ++pages, executions: counts.executions });
    }
    // Running/waiting executions older than the floor are not listed again: ask for each.
    for (const remoteId of remote.openExecutionIds(id, floor, 200)) {
      try {
        const execution = await client.getExecution(remoteId);
        ctx.store.write(() => void (counts.executions += remote.upsertExecutions(id, [execution], now())));
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'N8N_NOT_FOUND')) throw error;
        ctx.store.write(() =>
          db
            .prepare(
              `UPDATE executions SET status = 'canceled', error = ?, updated_at_ms = ?
              WHERE instance_id = ? AND remote_id = ? AND source = 'remote'`,
            )
            .run('Deleted in n8n before it finished.', now(), id, remoteId),
        );
      }
    }
    return maxSeen;
  }

  /** When each instance's version was last asked for (ms); in memory: once per start is plenty. */
  const versionCheckedAt = new Map<string, number>();
  const versionChecks = new Set<Promise<void>>();

  /**
   * Asks n8n for its version when unknown or older than an hour, after a successful pass and
   * without holding it up: the version is for the operator's eyes, and reading it (n8n's editor
   * page) costs n8n time.
   */
  function checkVersion(id: string, client: N8nClient, known: string | null): void {
    const last = versionCheckedAt.get(id);
    if (known && last !== undefined && now() - last < 3_600_000) return;
    versionCheckedAt.set(id, now());
    const check = client
      .version()
      .then((version) => {
        client.rememberVersion(version);
        if (!version)
          versionCheckedAt.delete(id); // ask again next pass
        else if (!shuttingDown) ctx.store.write((a) => instances.updateSyncState(a, id, { n8nVersion: version }));
      })
      .catch((error: unknown) => ctx.logger.warn('Could not store the n8n version', { instanceId: id, error }))
      .finally(() => versionChecks.delete(check));
    versionChecks.add(check);
  }

  async function pass(id: string): Promise<SyncLogEntry> {
    const instance = instances.get(id);
    const startedAt = now();
    const counts = { workflows: 0, executions: 0 };
    ctx.store.write((announce) =>
      instances.updateSyncState(announce, id, { state: 'syncing', lastAttemptAtMs: startedAt }),
    );
    try {
      const client = clientFor(id);
      client.rememberVersion(instance.sync.n8nVersion);
      // Workflows and executions are read side by side: n8n answers one while the other is
      // stored. Both settle before the pass ends, so no write outlives its pass.
      const workflowsPart = (async () => {
        const workflows = await client.listAllWorkflows();
        ctx.store.write((announce) => {
          counts.workflows = remote.replaceWorkflows(id, workflows, now());
          announce('workflows:changed', { instanceId: id });
        });
      })();
      const [workflowsResult, executionsResult] = await Promise.allSettled([
        workflowsPart,
        syncExecutions(id, client, counts),
      ]);
      if (workflowsResult.status === 'rejected') throw workflowsResult.reason;
      if (executionsResult.status === 'rejected') throw executionsResult.reason;
      const maxSeen = executionsResult.value;
      // After the reads, so it never competes with them for n8n's time.
      checkVersion(id, client, instance.sync.n8nVersion);
      return ctx.store.write((announce) => {
        db.prepare('UPDATE instance_sync_state SET exec_high_water = ? WHERE instance_id = ?').run(maxSeen, id);
        const entry = log(id, startedAt, 'ok', counts);
        instances.updateSyncState(announce, id, {
          state: 'ok',
          lastSuccessAtMs: now(),
          lastError: null,
          lastErrorCode: null,
          consecutiveFailures: 0,
        });
        if (counts.executions > 0) announce('executions:synced', { instanceId: id, count: counts.executions });
        return entry;
      });
    } catch (error) {
      const appError =
        error instanceof AppError ? error : new AppError('INTERNAL', `Sync failed: ${(error as Error).message}`);
      if (!(error instanceof AppError)) ctx.logger.error('Sync pass failed unexpectedly', { instanceId: id, error });
      // Removed, or replaced by a restore, while syncing: this pass describes a row that is gone.
      if (!instances.find(id) || aborted.get(id) === error) throw appError;
      return ctx.store.write((announce) => {
        const entry = log(id, startedAt, 'failed', counts, appError);
        instances.updateSyncState(announce, id, {
          state: appError.code === 'N8N_UNREACHABLE' ? 'offline' : 'error',
          lastError: appError.message,
          lastErrorCode: appError.code,
          consecutiveFailures: instance.sync.consecutiveFailures + 1,
        });
        if (counts.executions > 0) announce('executions:synced', { instanceId: id, count: counts.executions });
        return entry;
      });
    }
  }

  function log(
    id: string,
    startedAt: number,
    outcome: 'ok' | 'failed',
    counts: { workflows: number; executions: number },
    error?: AppError,
  ): SyncLogEntry {
    const row = {
      instance_id: id,
      started_at_ms: startedAt,
      duration_ms: Math.max(0, now() - startedAt),
      outcome,
      workflows: counts.workflows,
      executions: counts.executions,
      error_code: error?.code ?? null,
      error: error?.message ?? null,
    };
    const result = db
      .prepare(
        `INSERT INTO sync_log (instance_id, started_at_ms, duration_ms, outcome, workflows, executions, error_code, error)
        VALUES (@instance_id, @started_at_ms, @duration_ms, @outcome, @workflows, @executions, @error_code, @error)`,
      )
      .run(row);
    return toEntry({ id: Number(result.lastInsertRowid), ...row });
  }

  /** Runs one pass now; a pass already running for the instance is joined, never doubled. */
  function syncNow(id: string): Promise<SyncLogEntry> {
    instances.get(id); // NOT_FOUND before anything starts
    const current = running.get(id);
    if (current) return current;
    const started = pass(id).finally(() => {
      running.delete(id);
      aborted.delete(id);
      if (looping) schedule(id);
    });
    running.set(id, started);
    return started;
  }

  /** Delay before the next background pass: the interval, or backoff while failing. */
  function nextDelay(failures: number): number {
    if (failures === 0) return intervalMs;
    const base = Math.min(maxBackoffMs, retryBaseMs * 2 ** (failures - 1));
    return Math.round(base * (0.8 + random() * 0.4));
  }

  function schedule(id: string, delayMs?: number): void {
    cancel(id);
    const instance = instances.find(id);
    if (!instance || !instance.syncEnabled || !looping) {
      if (instance) ctx.store.write((a) => instances.updateSyncState(a, id, { nextSyncAtMs: null }));
      return;
    }
    const delay = delayMs ?? nextDelay(instance.sync.consecutiveFailures);
    scheduled.set(
      id,
      timers.setTimeout(() => {
        scheduled.delete(id);
        // Through a promise: syncNow throws at once for an instance removed meanwhile.
        Promise.resolve()
          .then(() => syncNow(id))
          .catch((error: unknown) => ctx.logger.warn('Background sync failed', { instanceId: id, error }));
      }, delay),
    );
    // Written without a wrapping transaction of the caller: the UI shows when the next try is.
    ctx.store.write((a) => instances.updateSyncState(a, id, { nextSyncAtMs: now() + delay }));
  }

  function cancel(id: string): void {
    const handle = scheduled.get(id);
    if (handle !== undefined) timers.clearTimeout(handle);
    scheduled.delete(id);
  }

  function syncLog(id: string, limit: number): SyncLogEntry[] {
    instances.get(id);
    return (
      db.prepare('SELECT * FROM sync_log WHERE instance_id = ? ORDER BY id DESC LIMIT ?').all(id, limit) as LogRow[]
    ).map(toEntry);
  }

  return {
    syncNow,
    syncLog,
    /** (Re)plans an instance's next pass, e.g. after it was added or edited; `0` = at once. */
    schedule,
    cancel,
    /** Stops the instance's loop and its pass in flight (at the next page), and waits for it. */
    async halt(id: string): Promise<void> {
      cancel(id);
      const current = running.get(id);
      if (!current) return;
      aborted.set(id, new AppError('NOT_FOUND', 'Sync stopped: the instance is being removed.'));
      await current.catch(() => undefined);
    },
    /**
     * After a restore replaced the instance's row: a pass in flight (reading the old address)
     * stops at its next page, and a fresh pass runs at once (`delayMs` later), from the restored
     * sync state. An instance that is gone only loses its timer.
     */
    restart(id: string, delayMs = 0): void {
      cancel(id);
      versionCheckedAt.delete(id);
      const current = running.get(id);
      if (!current) {
        schedule(id, delayMs);
        return;
      }
      aborted.set(
        id,
        new AppError('UNAVAILABLE', 'Sync restarted: a restore replaced this instance.', { retryable: true }),
      );
      // After the pass's own `finally`, which plans its next try with backoff: this replaces it.
      void current
        .catch(() => undefined)
        .then(() => schedule(id, delayMs))
        .catch((error: unknown) => ctx.logger.warn('Could not plan a sync after a restore', { instanceId: id, error }));
    },
    /** Instances with a planned or running pass (to find those a restore removed). */
    known: (): string[] => [...new Set([...scheduled.keys(), ...running.keys()])],
    start() {
      looping = true;
      // Spread the first passes a little so many instances do not start at the same instant.
      instances.list().forEach((instance, i) => schedule(instance.id, 500 * i));
    },
    /** Stops the loops and waits for passes in flight (their clients are closed by the caller). */
    async stop() {
      looping = false;
      shuttingDown = true;
      for (const id of [...scheduled.keys()]) cancel(id);
      await Promise.allSettled([...running.values(), ...versionChecks]);
    },
  };
}

export type Sync = ReturnType<typeof createSync>;
