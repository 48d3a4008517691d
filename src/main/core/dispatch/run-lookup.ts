/**
 * Finding the n8n execution a local run started, by its mark: the dispatcher sends
 * `X-Flightdeck-Execution-Id: <run id>` (and `X-Flightdeck-Event`), and n8n keeps the request
 * headers in the Webhook node's output. n8n's answer rarely names the execution, so this reads
 * run data until it finds the mark.
 *
 * What makes it never miss (facts from N8N-TEST-INSTANCE.md, checked on 1.123.81 and 2.41.1):
 * - `GET /executions` lists newest first with cursors: a search pages back as far as the run's
 *   dispatch time (minus clock skew), not one page.
 * - The list leaves out executions n8n holds as active: running ones (both lines) and waiting ones
 *   (1.x). Execution ids are sequential per instance, so the ids the list skips are asked for one
 *   by one (`GET /executions/{id}`), as are ids above the newest listed one until n8n says 404.
 * - A mark, once read, never changes: each execution's run data is read once and remembered
 *   (per instance, bounded), so repeated searches only read what is new.
 */
import { AppError } from '../../../shared/result';
import type { Clients } from '../n8n/clients';
import type { N8nClient } from '../n8n/client';
import type { N8nExecution } from '../n8n/schemas';
import { waitInfoOf, type WaitInfo } from '../n8n/waiting-item';

/** The headers the dispatcher sends with every webhook call. */
export const MARK_HEADER = 'x-flightdeck-execution-id';
export const EVENT_HEADER = 'x-flightdeck-event';

/** Which local run an n8n execution says it belongs to. */
export interface RunMark {
  runId: number;
  event: string | null;
}

/** An execution whose run data was read once: its mark, and its wait when it was waiting. */
export interface SeenExecution {
  /** n8n's summary as last seen (no run data). */
  execution: N8nExecution;
  mark: RunMark | null;
  /** What it waits on, when it was `waiting` when read (else null). */
  wait: WaitInfo | null;
  /** n8n's start (or creation) time, epoch ms. */
  atMs: number | null;
  /** Nodes with run data when it was read (n8n saves run data at the end, or amends a crashed run from its event log). */
  nodesRun: number;
  /** It was still new or running when read: its run data may have come since. */
  readWhileOpen: boolean;
}

/**
 * n8n recorded the call but ran no node of it: it stopped (a shutdown past its grace, a kill)
 * before the execution began, and its recovery found no node started in its event log, so it
 * marked it `crashed` with no run data (observed on 2.41.1: every call cut by a stop or a kill
 * left such an execution, never one with run data). Such an execution does not count as the run:
 * the run may be sent again, and it is never linked to it.
 */
export const ranNothing = (seen: SeenExecution): boolean => seen.execution.status === 'crashed' && seen.nodesRun === 0;

/** The answer of `findRunInN8n`. */
export type RunLookup =
  | { state: 'found'; execution: N8nExecution }
  /** Every execution of the period was read (listed and left-out ones): none carries the mark. */
  | { state: 'absent' }
  /** n8n could not be asked (unreachable, refused) or the search ran out of budget: do not assume. */
  | { state: 'unknown'; reason: string };

export interface RunFinderOptions {
  /** Clock difference tolerated between this machine and n8n, ms. Default 60 000. */
  skewMs?: number;
  /** List pages (250 executions each) one search may read. Default 40. */
  maxPages?: number;
  /** Single-execution reads (`GET /executions/{id}`) one search may make. Default 400. */
  maxProbes?: number;
  /** Executions per page when reading run data in bulk (it can be large). Default 50. */
  dataPageSize?: number;
  /** Executions remembered per instance. Default 50 000. */
  cacheSize?: number;
}

export interface ScanRequest {
  /** Read executions that started at or after this time (minus the skew); null: none by time. */
  sinceMs: number | null;
  /** Read executions with a higher id than this, whatever their time; null: none by id. */
  afterId: number | null;
  /** Read the run data of these workflows' executions only (null: every workflow). */
  workflowIds: ReadonlySet<string> | null;
}

export interface ScanResult {
  /** Executions read with their run data during this scan, newest first. */
  read: SeenExecution[];
  /** What the list showed in range (no run data). */
  listed: N8nExecution[];
  /** Highest execution id n8n is known to hold after this scan; 0 when none. */
  highestId: number;
  /** False when a budget ran out: something in range may be unread. */
  complete: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The dispatcher's headers on the first item of a node's main data, if there. */
function markOnItems(main: unknown): RunMark | null {
  if (!Array.isArray(main)) return null;
  for (const output of main) {
    const item: unknown = Array.isArray(output) ? output[0] : undefined;
    const headers = isRecord(item) && isRecord(item.json) ? item.json.headers : undefined;
    if (!isRecord(headers)) continue;
    const id = headers[MARK_HEADER];
    if (typeof id !== 'string' || !/^\d{1,15}$/.test(id)) continue;
    const event = headers[EVENT_HEADER];
    return { runId: Number(id), event: typeof event === 'string' ? event : null };
  }
  return null;
}

/**
 * The dispatcher's headers in an execution's run data: the Webhook node's output once it ran,
 * or, while n8n still runs it (run data saved only at the end), the trigger's item on top of the
 * execution stack.
 */
export function markOf(data: unknown): RunMark | null {
  if (!isRecord(data)) return null;
  const runData = isRecord(data.resultData) ? data.resultData.runData : undefined;
  if (isRecord(runData)) {
    for (const runs of Object.values(runData)) {
      const run: unknown = Array.isArray(runs) ? runs[0] : undefined;
      const mark = isRecord(run) && isRecord(run.data) ? markOnItems(run.data.main) : null;
      if (mark) return mark;
    }
  }
  const stack = isRecord(data.executionData) ? data.executionData.nodeExecutionStack : undefined;
  if (Array.isArray(stack)) {
    for (const entry of stack) {
      const mark = isRecord(entry) && isRecord(entry.data) ? markOnItems(entry.data.main) : null;
      if (mark) return mark;
    }
  }
  return null;
}

/** How many nodes have run data in an execution's data. */
function nodesRunIn(data: unknown): number {
  const runData = isRecord(data) && isRecord(data.resultData) ? data.resultData.runData : undefined;
  return isRecord(runData) ? Object.keys(runData).length : 0;
}

/** Ids looked at below the lowest listed one when the list holds n8n's whole history. */
const EXHAUSTED_LOOKBACK = 200;

/** n8n statuses of executions whose run data n8n has not saved yet (it saves at the end or a wait). */
const OPEN = new Set(['new', 'running']);

const timeOf = (e: Pick<N8nExecution, 'startedAt' | 'createdAt'>): number | null => e.startedAt ?? e.createdAt ?? null;
const idOf = (e: Pick<N8nExecution, 'id'>) => Number(e.id);

/** Run data and workflow copy dropped: what is remembered of an execution. */
function summaryOf(e: N8nExecution): N8nExecution {
  const { data: _data, workflowData: _workflow, ...summary } = e;
  return summary;
}

/** What one instance's executions are known to carry. */
class InstanceMemory {
  readonly seen = new Map<string, SeenExecution>();
  /** Ids n8n answered 404 for although a higher id exists: deleted (or never used). */
  readonly dead = new Set<string>();
  private readonly byRun = new Map<number, string[]>();

  constructor(private readonly size: number) {}

  remember(e: N8nExecution): SeenExecution {
    const seen: SeenExecution = {
      execution: summaryOf(e),
      mark: markOf(e.data),
      wait: e.status === 'waiting' ? waitInfoOf(e) : null,
      atMs: timeOf(e),
      nodesRun: nodesRunIn(e.data),
      readWhileOpen: OPEN.has(e.status ?? ''),
    };
    if (!this.seen.has(e.id) && seen.mark) {
      const ids = this.byRun.get(seen.mark.runId) ?? [];
      ids.push(e.id);
      this.byRun.set(seen.mark.runId, ids);
    }
    // No mark yet on an execution n8n still runs: its data may not be saved yet; read it again.
    if (seen.mark || !OPEN.has(e.status ?? '')) this.seen.set(e.id, seen);
    this.trim();
    return seen;
  }

  /** A fresher summary from the list (status, times); the mark stays. */
  refresh(e: N8nExecution): void {
    const seen = this.seen.get(e.id);
    if (seen) seen.execution = summaryOf(e);
  }

  executionsOf(runId: number): SeenExecution[] {
    return (this.byRun.get(runId) ?? []).flatMap((id) => {
      const seen = this.seen.get(id);
      return seen ? [seen] : [];
    });
  }

  private trim(): void {
    if (this.seen.size <= this.size && this.dead.size <= this.size) return;
    // Maps iterate in insertion order: the oldest reads go first.
    for (const id of [...this.seen.keys()].slice(0, Math.ceil(this.size / 10))) {
      const mark = this.seen.get(id)?.mark;
      this.seen.delete(id);
      if (!mark) continue;
      const rest = (this.byRun.get(mark.runId) ?? []).filter((x) => x !== id);
      if (rest.length) this.byRun.set(mark.runId, rest);
      else this.byRun.delete(mark.runId);
    }
    for (const id of [...this.dead].slice(0, Math.max(0, this.dead.size - this.size))) this.dead.delete(id);
  }
}

const isNotFound = (error: unknown) => error instanceof AppError && error.code === 'N8N_NOT_FOUND';

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/**
 * The search engine shared by the linker and crash recovery. One per core: it remembers, per
 * instance, the marks it has read.
 */
export function createRunFinder(clients: Pick<Clients, 'forInstance'>, options: RunFinderOptions = {}) {
  const skewMs = options.skewMs ?? 60_000;
  const maxPages = options.maxPages ?? 40;
  const maxProbes = options.maxProbes ?? 400;
  const dataPageSize = options.dataPageSize ?? 50;
  const cacheSize = options.cacheSize ?? 50_000;
  const memories = new Map<string, { origin: string; memory: InstanceMemory }>();

  /** What was read of an instance; forgotten when the instance now points at another n8n. */
  const memoryOf = (instanceId: string) => {
    const origin = clients.forInstance(instanceId).origin;
    let entry = memories.get(instanceId);
    if (!entry || entry.origin !== origin)
      memories.set(instanceId, (entry = { origin, memory: new InstanceMemory(cacheSize) }));
    const { memory } = entry;
    return memory;
  };

  /** Reads one execution with its run data; null when n8n has no such id. */
  async function readOne(client: N8nClient, memory: InstanceMemory, id: string): Promise<SeenExecution | null> {
    try {
      return memory.remember(await client.getExecution(id, { includeData: true }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * Reads the run data of listed executions of one workflow, newest first, in pages, down to
   * the lowest wanted id; whatever the pages did not return is read one by one.
   */
  async function readListed(
    client: N8nClient,
    memory: InstanceMemory,
    workflowId: string | null,
    wanted: N8nExecution[],
    budget: { probes: number },
  ): Promise<SeenExecution[]> {
    const read: SeenExecution[] = [];
    const missing = new Set(wanted.map((e) => e.id));
    const lowest = Math.min(...wanted.map(idOf));
    if (workflowId !== null && wanted.length > 3) {
      let cursor: string | undefined;
      for (;;) {
        const page = await client.listExecutions({
          workflowId,
          includeData: true,
          limit: dataPageSize,
          ...(cursor ? { cursor } : {}),
        });
        for (const e of page.data) {
          if (memory.seen.has(e.id) && !missing.has(e.id)) continue;
          read.push(memory.remember(e));
          missing.delete(e.id);
        }
        const pageLowest = Math.min(...page.data.map(idOf));
        if (!page.nextCursor || page.data.length === 0 || pageLowest <= lowest || missing.size === 0) break;
        cursor = page.nextCursor;
      }
    }
    const rest = [...missing];
    budget.probes -= rest.length;
    await pool(rest, 4, async (id) => {
      const seen = await readOne(client, memory, id);
      if (seen) read.push(seen);
      else memory.dead.add(id);
    });
    return read;
  }

  /**
   * Lists an instance's executions down to the requested range, reads the run data of the ones
   * not read before (of the given workflows), and asks for every id the list left out.
   * Throws the client's AppError when n8n cannot be asked.
   */
  async function scan(instanceId: string, request: ScanRequest): Promise<ScanResult> {
    const client = clients.forInstance(instanceId);
    const memory = memoryOf(instanceId);
    const timeFloor = request.sinceMs === null ? null : request.sinceMs - skewMs;
    const inRange = (e: N8nExecution) => {
      if (request.afterId !== null && idOf(e) > request.afterId) return true;
      if (timeFloor === null) return false;
      const at = timeOf(e);
      return at === null || at >= timeFloor;
    };

    const listed: N8nExecution[] = [];
    let boundary: number | null = null;
    let pages = 0;
    let complete = true;
    for await (const page of client.executionPages({ limit: 250 })) {
      pages++;
      for (const e of page.data) {
        memory.refresh(e);
        if (inRange(e)) listed.push(e);
        else boundary = Math.max(boundary ?? 0, idOf(e));
      }
      if (boundary !== null) break;
      if (pages >= maxPages && page.nextCursor) {
        // Cut short: only the part the list covered can be checked for gaps.
        complete = false;
        break;
      }
    }

    const budget = { probes: maxProbes };
    const read: SeenExecution[] = [];
    // 1. Listed executions not read before: their run data, a page per workflow where many.
    const unread = listed.filter(
      (e) =>
        !memory.seen.has(e.id) &&
        (request.workflowIds === null || (e.workflowId != null && request.workflowIds.has(e.workflowId))),
    );
    const byWorkflow = new Map<string | null, N8nExecution[]>();
    for (const e of unread) byWorkflow.set(e.workflowId ?? null, [...(byWorkflow.get(e.workflowId ?? null) ?? []), e]);
    for (const [workflowId, wanted] of byWorkflow) {
      read.push(...(await readListed(client, memory, workflowId, wanted, budget)));
    }

    // 2. Ids the list left out (running; waiting on 1.x), newest first, then above the newest.
    const listedIds = new Set(listed.map((e) => e.id));
    const highestListed = Math.max(0, boundary ?? 0, ...listed.map(idOf));
    // Without a boundary the list ended (n8n holds nothing older: ids below the lowest listed one
    // are pruned history, or hidden runs older than every listed one, looked at a little way down)
    // or was cut short (only what it covered can be checked).
    const lowestListed = listed.length ? Math.min(...listed.map(idOf)) : 1;
    // Asked by id only: everything up to afterId was looked at before.
    const idsOnly = timeFloor === null && request.afterId !== null;
    const floorById = idsOnly ? (request.afterId ?? 0) : 0;
    const lowest = Math.max(
      floorById + 1,
      boundary !== null ? boundary + 1 : complete ? Math.max(1, lowestListed - EXHAUSTED_LOOKBACK) : lowestListed,
    );
    const gaps: string[] = [];
    for (let id = highestListed; id >= lowest && id > 0; id--) {
      const key = String(id);
      if (!listedIds.has(key) && !memory.seen.has(key) && !memory.dead.has(key)) gaps.push(key);
    }
    if (gaps.length > budget.probes) {
      complete = false;
      gaps.length = Math.max(0, budget.probes);
    }
    budget.probes -= gaps.length;
    await pool(gaps, 4, async (id) => {
      const seen = await readOne(client, memory, id);
      if (seen) read.push(seen);
      else memory.dead.add(id);
    });
    // Above the newest listed id: hidden executions newer than every listed one, until a 404
    // (that id does not exist yet). Ids already read are stepped over.
    let highestId = Math.max(highestListed, floorById);
    for (let id = highestId + 1; ; id++) {
      const key = String(id);
      const known = memory.seen.get(key);
      if (known) {
        highestId = id;
        continue;
      }
      if (budget.probes-- <= 0) {
        complete = false;
        break;
      }
      const seen = await readOne(client, memory, key);
      if (!seen) break;
      read.push(seen);
      highestId = id;
    }
    read.sort((a, b) => idOf(b.execution) - idOf(a.execution));
    return { read, listed, highestId, complete };
  }

  /**
   * The execution carrying a run's mark among those read so far: started no earlier than the
   * run's dispatch (minus the skew), with the same event; the newest when several attempts
   * reached n8n.
   */
  function match(
    instanceId: string,
    run: { runId: number; event?: string | null; sinceMs: number },
  ): SeenExecution | null {
    const floor = run.sinceMs - skewMs;
    let best: SeenExecution | null = null;
    for (const seen of memoryOf(instanceId).executionsOf(run.runId)) {
      if (seen.atMs !== null && seen.atMs < floor) continue;
      if (ranNothing(seen)) continue;
      if (run.event && seen.mark?.event && seen.mark.event !== run.event) continue;
      if (!best || idOf(seen.execution) > idOf(best.execution)) best = seen;
    }
    return best;
  }

  /**
   * Looks for the n8n execution of local run `runId`, dispatched to `workflowId` (null when
   * unknown: every workflow is read) no earlier than `sinceMs`. `found` when an execution carries
   * the run's mark; `absent` only when every execution n8n holds since then was read; `unknown`
   * when n8n could not be asked or the search ran out of budget. Never throws.
   */
  async function findRunInN8n(
    instanceId: string,
    workflowId: string | null,
    runId: number,
    sinceMs: number,
    options: { event?: string } = {},
  ): Promise<RunLookup> {
    const run = { runId, sinceMs, ...(options.event ? { event: options.event } : {}) };
    try {
      const client = clients.forInstance(instanceId);
      const memory = memoryOf(instanceId);
      /** A match n8n still ran when it was read is read again: the list leaves running ones out, so nothing else refreshes it. */
      const current = async (seen: SeenExecution | null): Promise<SeenExecution | null> => {
        if (!seen || !OPEN.has(seen.execution.status ?? '')) return seen;
        await readOne(client, memory, seen.execution.id);
        return match(instanceId, run);
      };
      const known = await current(match(instanceId, run));
      if (known) return { state: 'found', execution: known.execution };
      const result = await scan(instanceId, {
        sinceMs,
        afterId: null,
        workflowIds: workflowId ? new Set([workflowId]) : null,
      });
      // A crashed execution read while n8n still ran it: read again, n8n's recovery may have
      // added the nodes that ran (then it is the run's; otherwise it ran nothing).
      for (const stale of memory.executionsOf(runId).filter((x) => x.readWhileOpen && ranNothing(x)))
        await readOne(client, memory, stale.execution.id);
      const seen = await current(match(instanceId, run));
      if (seen) return { state: 'found', execution: seen.execution };
      return result.complete
        ? { state: 'absent' }
        : { state: 'unknown', reason: 'n8n holds more executions since then than one search reads.' };
    } catch (error) {
      return { state: 'unknown', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  return {
    findRunInN8n,
    scan,
    match,
    /** Reads one execution with its run data (and remembers its mark); null on 404. */
    read: (instanceId: string, id: string) => readOne(clients.forInstance(instanceId), memoryOf(instanceId), id),
    /** What was read of an execution, if anything. */
    seen: (instanceId: string, id: string) => memoryOf(instanceId).seen.get(id),
    /** Forgets an instance (removed, or its address changed). */
    forget: (instanceId: string) => void memories.delete(instanceId),
  };
}

export type RunFinder = ReturnType<typeof createRunFinder>;
export type FindRunInN8n = RunFinder['findRunInN8n'];
