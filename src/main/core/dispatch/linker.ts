import type { Instance } from '../../../shared/contract';
import type { CoreContext } from '../context';
import type { Lifecycle } from '../handlers';
import type { Clients } from '../n8n/clients';
import type { N8nExecution } from '../n8n/schemas';
import { mapN8nStatus } from '../n8n/status-map';
import { waitInfoOf, type WaitInfo } from '../n8n/waiting-item';
import { AppError } from '../../../shared/result';
import { systemTimers, type Timers } from '../timers';
import { createLinkStore, type OpenRow, type PendingRun } from './link-store';
import type { RunFinder, SeenExecution } from './run-lookup';

export interface LinkerOptions {
  /** Between passes, ms. Default 2 000. */
  intervalMs?: number;
  /**
   * A run n8n acknowledged ("Workflow was started") that n8n has not shown after this long is
   * flagged unconfirmed: it may never have run (n8n crashed). Default 600 000 ms (10 min).
   */
  unconfirmedAfterMs?: number;
  /** Runs unlinked for longer than this are looked for every `slowEveryMs`, not every pass, ms. Default 60 000. */
  freshForMs?: number;
  /** See `freshForMs`. Default 30 000. */
  slowEveryMs?: number;
  /** Runs acknowledged longer ago are no longer looked for (a later sighting still links them), ms. Default 1 day. */
  maxAgeMs?: number;
  /** n8n execution ids below the newest one read when the wait watch of an instance starts. Default 500. */
  waitBackfillIds?: number;
  timers?: Timers;
}

export interface LinkerDeps {
  clients: Pick<Clients, 'forInstance'>;
  /** The search engine, shared with crash recovery (run-lookup.ts). */
  finder: RunFinder;
  /** The instances, for their wait-inbox option. */
  instances: () => Pick<Instance, 'id' | 'waitInbox'>[];
  /** Called after waits were recorded, so the inbox takes them at once rather than at its next tick. */
  onWaits?: () => void;
}

/** What one instance's pass found, written in one transaction at its end. */
interface PassWrites {
  links: { runId: number; execution: N8nExecution; wait: WaitInfo | null }[];
  unlinks: number[];
  flags: number[];
  remote: { execution: N8nExecution; wait: WaitInfo | null }[];
  scannedTo: number | null;
}

const isOpen = (status: string | null | undefined) => status === 'running' || status === 'new' || status === 'waiting';

/**
 * Links local runs to the n8n executions they started, so each n8n execution is one row.
 *
 * A run is found by its mark (run-lookup.ts): the linker asks n8n for everything since the run
 * was dispatched, including the executions the list leaves out, and matches
 * X-Flightdeck-Execution-Id. A row the sync stored first is folded into the run (a trigger of
 * migration 0013), and a later sync updates the run instead of adding a row (same n8n id).
 * A run n8n acknowledged that never shows up within `unconfirmedAfterMs` is flagged unconfirmed.
 * Linked runs that are still running or waiting are re-read until they end, and what a waiting
 * one waits on is recorded for the inbox. Where an instance opts in, executions started directly
 * in n8n that wait for a webhook call are watched for too (the inbox lists them).
 */
export function createLinker(
  ctx: CoreContext,
  deps: LinkerDeps,
  options: LinkerOptions = {},
): Lifecycle & { linkOnce(): Promise<number> } {
  const intervalMs = options.intervalMs ?? 2_000;
  const unconfirmedAfterMs = options.unconfirmedAfterMs ?? 600_000;
  const freshForMs = options.freshForMs ?? 60_000;
  const slowEveryMs = options.slowEveryMs ?? 30_000;
  const maxAgeMs = options.maxAgeMs ?? 86_400_000;
  const backfill = options.waitBackfillIds ?? 500;
  const timers = options.timers ?? systemTimers;
  const store = createLinkStore(ctx.store.db);
  const { finder } = deps;
  const now = () => ctx.clock.now();
  let nextSlowAt = 0;
  /** When each open row is read next, and how long it waited last (backoff while unchanged). */
  const refreshPlan = new Map<number, { at: number; delay: number }>();

  /** Whether a mark names a run of this console on this instance (not a direct n8n execution). */
  const oursByMark = (instanceId: string, seen: SeenExecution) => {
    if (!seen.mark) return false;
    const run = store.localRun(seen.mark.runId, instanceId);
    return Boolean(run && (!seen.mark.event || !run.event || run.event === seen.mark.event));
  };

  /** Confirms the execution n8n's answer named: it exists, and carries this run's mark (or none). */
  async function confirmNamed(instanceId: string, run: PendingRun & { remote_id: string }, writes: PassWrites) {
    const seen = finder.seen(instanceId, run.remote_id) ?? (await finder.read(instanceId, run.remote_id));
    if (!seen || (seen.mark && seen.mark.runId !== run.id)) writes.unlinks.push(run.id);
    else writes.links.push({ runId: run.id, execution: seen.execution, wait: seen.wait });
  }

  async function passFor(
    instanceId: string,
    runs: PendingRun[],
    watch: Instance['waitInbox'] | null,
  ): Promise<PassWrites> {
    const writes: PassWrites = { links: [], unlinks: [], flags: [], remote: [], scannedTo: null };
    const t = now();
    for (const run of runs)
      if (run.remote_id !== null) await confirmNamed(instanceId, { ...run, remote_id: run.remote_id }, writes);
    const unlinked = new Set(writes.unlinks);
    const wanted = runs.filter((r) => (r.remote_id === null || unlinked.has(r.id)) && r.unconfirmed_at_ms === null);
    if (wanted.length === 0 && !watch) return writes;

    // Runs whose workflow is unknown, or not found among their workflow's executions for a
    // while, are looked for among every workflow's (a mapping may name a stale workflow id).
    const wide = wanted.some((r) => r.wf === null || t - r.acked_ms > freshForMs);
    let afterId: number | null = null;
    if (watch) afterId = store.scannedTo(instanceId) ?? (await firstFloor(instanceId));
    const result = await finder.scan(instanceId, {
      sinceMs: wanted.length ? Math.min(...wanted.map((r) => r.since_ms)) : null,
      afterId,
      workflowIds: wide ? null : new Set(wanted.flatMap((r) => (r.wf ? [r.wf] : []))),
    });

    const linkedNow = new Set<number>();
    const linkedExecutions = new Set<string>();
    const linkRun = (runId: number, seen: SeenExecution) => {
      if (linkedNow.has(runId) || linkedExecutions.has(seen.execution.id)) return;
      const held = store.holder(instanceId, seen.execution.id);
      if (held && held.source === 'local' && held.id !== runId) return; // another run holds it
      linkedNow.add(runId);
      linkedExecutions.add(seen.execution.id);
      writes.links.push({ runId, execution: seen.execution, wait: seen.wait });
    };
    for (const run of wanted) {
      const seen = finder.match(instanceId, { runId: run.id, event: run.event, sinceMs: run.since_ms });
      if (seen) linkRun(run.id, seen);
    }
    // Marks read in this pass that name other runs still unlinked (flagged, or older): late sightings.
    for (const seen of result.read) {
      if (!seen.mark || linkedNow.has(seen.mark.runId)) continue;
      const run = store.linkable(seen.mark.runId, instanceId);
      if (!run) continue;
      const best = finder.match(instanceId, { runId: run.id, event: run.event, sinceMs: run.since_ms });
      if (best) linkRun(run.id, best);
    }
    if (result.complete) {
      for (const run of wanted) {
        if (!linkedNow.has(run.id) && run.status === 'succeeded' && t - run.acked_ms >= unconfirmedAfterMs)
          writes.flags.push(run.id);
      }
    }
    if (watch) await watchWaits(instanceId, watch, result, writes, linkedExecutions);
    return writes;
  }

  /** Where the wait watch of an instance starts: a little below n8n's newest execution. */
  async function firstFloor(instanceId: string): Promise<number> {
    const page = await deps.clients.forInstance(instanceId).listExecutions({ limit: 1 });
    const newest = Number(page.data[0]?.id ?? 0);
    return Math.max(0, newest - backfill);
  }

  /**
   * Executions started in n8n that wait (listed on 2.x, found by id on 1.x): recorded with what
   * they wait on; hidden running ones are recorded too, so they are followed until they wait or end.
   */
  async function watchWaits(
    instanceId: string,
    watch: Instance['waitInbox'],
    result: Awaited<ReturnType<RunFinder['scan']>>,
    writes: PassWrites,
    linked: Set<string>,
  ) {
    const inFilter = (e: N8nExecution) =>
      watch.workflowIds.length === 0 || (e.workflowId != null && watch.workflowIds.includes(e.workflowId));
    const candidates = new Map<string, SeenExecution>();
    for (const seen of result.read) if (isOpen(seen.execution.status)) candidates.set(seen.execution.id, seen);
    for (const e of result.listed) {
      if (e.status !== 'waiting' || candidates.has(e.id) || !inFilter(e)) continue;
      if (store.remoteHasWait(instanceId, e.id)) continue;
      const known = finder.seen(instanceId, e.id);
      const seen = known?.wait ? known : await finder.read(instanceId, e.id);
      if (seen) candidates.set(e.id, seen);
    }
    for (const seen of candidates.values()) {
      if (linked.has(seen.execution.id) || oursByMark(instanceId, seen)) continue;
      if (store.holder(instanceId, seen.execution.id)?.source === 'local') continue;
      if (!inFilter(seen.execution)) continue;
      writes.remote.push({ execution: seen.execution, wait: seen.execution.status === 'waiting' ? seen.wait : null });
    }
    const floor = store.scannedTo(instanceId) ?? 0;
    if (result.complete) writes.scannedTo = Math.max(floor, result.highestId);
    else if (result.highestId - floor > 50 * backfill) {
      // Far behind (closed for long on a busy instance): skip ahead rather than never catch up.
      ctx.logger.warn('Wait watch skipped older n8n executions it could not read in time', { instanceId });
      writes.scannedTo = result.highestId - backfill;
    }
  }

  function commit(instanceId: string, writes: PassWrites): { changed: number[]; waits: boolean } {
    const t = now();
    const changed: number[] = [];
    let waits = false;
    const { links, unlinks, flags, remote, scannedTo } = writes;
    if (!links.length && !unlinks.length && !flags.length && !remote.length && scannedTo === null)
      return { changed, waits };
    ctx.store.write((announce) => {
      for (const id of writes.unlinks) if (store.unlink(id, t)) changed.push(id);
      for (const { runId, execution, wait } of writes.links) {
        if (!store.link(runId, execution, wait, t)) continue;
        changed.push(runId);
        if (execution.status === 'waiting' && wait) waits = true;
      }
      for (const id of writes.flags) if (store.flagUnconfirmed(id, t)) changed.push(id);
      for (const { execution, wait } of writes.remote) {
        if (store.recordRemote(instanceId, execution, wait, t) && wait) waits = true;
      }
      if (writes.scannedTo !== null) store.setScannedTo(instanceId, writes.scannedTo, t);
      if (changed.length || writes.remote.length) announce('executions:changed', { ids: changed });
    });
    return { changed, waits };
  }

  /** Re-reads linked runs (and watched executions) n8n still runs or holds waiting, with backoff. */
  async function refreshOpen(watched: Set<string>): Promise<boolean> {
    const t = now();
    const rows: OpenRow[] = [...store.openLocal(t - 600_000), ...[...watched].flatMap((id) => store.openRemote(id))];
    const due = rows.filter((r) => r.resumed === 1 || (refreshPlan.get(r.id)?.at ?? 0) <= t).slice(0, 50);
    const live = new Set(rows.map((r) => r.id));
    for (const id of refreshPlan.keys()) if (!live.has(id)) refreshPlan.delete(id);
    const results: { row: OpenRow; execution: N8nExecution; wait: WaitInfo | null }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(4, due.length) }, async () => {
        while (next < due.length) {
          const row = due[next++] as OpenRow;
          const plan = refreshPlan.get(row.id) ?? { at: 0, delay: intervalMs };
          try {
            const execution = await deps.clients
              .forInstance(row.instance_id)
              .getExecution(row.remote_id, { includeData: !row.has_wait });
            const wait = execution.status === 'waiting' ? waitInfoOf(execution) : null;
            results.push({ row, execution, wait });
            const same = mapN8nStatus(execution) === row.status;
            // Unchanged: look less often (waits can last days); changed: look again soon.
            const delay = same ? Math.min(plan.delay * 2, row.status === 'waiting' ? 300_000 : 30_000) : intervalMs;
            refreshPlan.set(row.id, { at: now() + delay, delay });
          } catch (error) {
            // Deleted in n8n, or n8n unreachable: look again much later; the sync has the last word.
            const gone = error instanceof AppError && error.code === 'N8N_NOT_FOUND';
            refreshPlan.set(row.id, { at: now() + (gone ? 600_000 : 30_000), delay: plan.delay });
          }
        }
      }),
    );
    if (results.length === 0) return false;
    let waits = false;
    ctx.store.write((announce) => {
      const changed: number[] = [];
      for (const { row, execution, wait } of results) {
        if (store.refresh(row.id, execution, wait, now())) {
          changed.push(row.id);
          if (wait) waits = true;
        }
      }
      if (changed.length) announce('executions:changed', { ids: changed });
    });
    return waits;
  }

  async function linkOnce(): Promise<number> {
    const t = now();
    const slow = t >= nextSlowAt;
    if (slow) nextSlowAt = t + slowEveryMs;
    const byInstance = new Map<string, PendingRun[]>();
    for (const run of store.pending(t - maxAgeMs)) {
      // Fresh runs every pass, older ones now and then (flagged ones only link on a late sighting).
      if (!slow && t - run.acked_ms > freshForMs && run.remote_id === null) continue;
      byInstance.set(run.instance_id, [...(byInstance.get(run.instance_id) ?? []), run]);
    }
    const watched = new Map(
      deps
        .instances()
        .filter((i) => i.waitInbox.enabled)
        .map((i) => [i.id, i.waitInbox]),
    );
    let linked = 0;
    let waits = false;
    for (const instanceId of new Set([...byInstance.keys(), ...watched.keys()])) {
      try {
        const writes = await passFor(instanceId, byInstance.get(instanceId) ?? [], watched.get(instanceId) ?? null);
        const done = commit(instanceId, writes);
        linked += writes.links.length;
        waits ||= done.waits;
      } catch (error) {
        // n8n unreachable or the instance gone: the next pass tries again; nothing is lost.
        ctx.logger.debug('Linker pass skipped an instance', { instanceId, error });
      }
    }
    try {
      waits = (await refreshOpen(new Set(watched.keys()))) || waits;
    } catch (error) {
      ctx.logger.debug('Linker could not refresh open runs', { error });
    }
    if (waits) deps.onWaits?.();
    return linked;
  }

  let timer: unknown;
  let stopped = false;
  let running: Promise<unknown> | undefined;
  const loop = () => {
    if (stopped) return;
    running = linkOnce()
      .catch((error: unknown) => ctx.logger.warn('Linker pass failed', { error }))
      .finally(() => {
        if (!stopped) timer = timers.setTimeout(loop, intervalMs);
      });
  };
  return {
    linkOnce,
    start: () => void (timer = timers.setTimeout(loop, intervalMs)),
    async stop() {
      stopped = true;
      timers.clearTimeout(timer);
      await running;
    },
  };
}
