/**
 * A small `findRunInN8n`: looks for the n8n execution a local run started, by the mark the
 * dispatcher sends (`X-Flightdeck-Execution-Id`, kept by n8n in the Webhook node's output, or on
 * the execution stack while it still runs). Used before a run whose attempt may have reached n8n
 * is sent again. The linker's run finder (issue #12, trust-links) does the same with a shared
 * memory and larger budgets; wire-modules uses it where present, this otherwise.
 *
 * Facts it relies on (N8N-TEST-INSTANCE.md): the list is newest first with cursors; n8n 1.x leaves
 * out executions it holds as active (running, waiting), and ids are sequential per instance, so the
 * ids the list skips, and a few above the newest, are asked for one by one.
 */
import { AppError } from '../../../shared/result';
import type { N8nClient } from '../n8n/client';
import type { N8nExecution } from '../n8n/schemas';

export type RunLookup =
  | { state: 'found'; execution: N8nExecution }
  /** Every execution n8n holds since then was read: none carries the mark. */
  | { state: 'absent' }
  /** n8n could not be asked, or the search ran out of budget: do not assume either way. */
  | { state: 'unknown'; reason: string };

/** Finds a local run's execution in n8n by its mark; never throws. */
export type FindRunInN8n = (
  instanceId: string,
  workflowId: string | null,
  runId: number,
  sinceMs: number,
) => Promise<RunLookup>;

const MARK_HEADER = 'x-flightdeck-execution-id';
const SKEW_MS = 60_000;
const PAGE = 50;
const MAX_PAGES = 40;
const MAX_PROBES = 200;
/** Ids above the newest listed one that are asked for (executions n8n runs right now). */
const ABOVE = 20;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function markOnItems(main: unknown): number | null {
  if (!Array.isArray(main)) return null;
  for (const output of main) {
    const item: unknown = Array.isArray(output) ? output[0] : undefined;
    const headers = isRecord(item) && isRecord(item.json) ? item.json.headers : undefined;
    const id = isRecord(headers) ? headers[MARK_HEADER] : undefined;
    if (typeof id === 'string' && /^\d{1,15}$/.test(id)) return Number(id);
  }
  return null;
}

/** The run id marked in an execution's data: the Webhook node's output, or the stack while it runs. */
export function runMarkOf(data: unknown): number | null {
  if (!isRecord(data)) return null;
  const runData = isRecord(data.resultData) ? data.resultData.runData : undefined;
  if (isRecord(runData)) {
    for (const runs of Object.values(runData)) {
      const run: unknown = Array.isArray(runs) ? runs[0] : undefined;
      const mark = isRecord(run) && isRecord(run.data) ? markOnItems(run.data.main) : null;
      if (mark !== null) return mark;
    }
  }
  const stack = isRecord(data.executionData) ? data.executionData.nodeExecutionStack : undefined;
  if (Array.isArray(stack)) {
    for (const entry of stack) {
      const mark = isRecord(entry) && isRecord(entry.data) ? markOnItems(entry.data.main) : null;
      if (mark !== null) return mark;
    }
  }
  return null;
}

const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);
const OPEN = new Set(['new', 'running', 'crashed', 'unknown']);

/**
 * An execution whose mark cannot be read although it may carry one: n8n has not saved its data
 * yet, or is recovering it after a crash (n8n 1.x replaces a crashed run's data with placeholder
 * items, `isArtificialRecoveredEventItem`). "Absent" cannot be concluded while one is in the window.
 */
function unreadable(e: N8nExecution, workflowId: string | null): boolean {
  if (!OPEN.has(e.status ?? 'unknown') || runMarkOf(e.data) !== null) return false;
  if (workflowId !== null && e.workflowId && e.workflowId !== workflowId) return false;
  if (e.data === undefined || e.data === null) return true;
  const text = JSON.stringify(e.data);
  return text.includes('isArtificialRecoveredEventItem') || !text.includes('nodeExecutionStack');
}
const startOf = (e: N8nExecution) => e.startedAt ?? e.createdAt ?? null;

/** A finder over the instances' clients, remembering the marks of finished executions per instance. */
export function createRunMarkCheck(clientFor: (instanceId: string) => N8nClient): FindRunInN8n {
  /** instance → execution id → its mark (finished executions only: a mark never changes). */
  const memory = new Map<string, Map<string, { mark: number | null; execution: N8nExecution }>>();

  return async (instanceId, workflowId, runId, sinceMs) => {
    try {
      const client = clientFor(instanceId);
      const seen = memory.get(instanceId) ?? new Map<string, { mark: number | null; execution: N8nExecution }>();
      memory.set(instanceId, seen);
      if (seen.size > 50_000) seen.clear();
      const note = (e: N8nExecution) => {
        const mark = runMarkOf(e.data);
        if (FINISHED.has(e.status ?? '')) seen.set(e.id, { mark, execution: { ...e, data: undefined } });
        return mark;
      };
      // Every workflow's executions: the ids the list skips are then exactly the hidden ones.
      const listed: N8nExecution[] = [];
      let doubtful = 0;
      let cursor: string | undefined;
      let complete = false;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.listExecutions({ includeData: true, limit: PAGE, ...(cursor ? { cursor } : {}) });
        for (const e of result.data) {
          if (note(e) === runId) return { state: 'found', execution: { ...e, data: undefined } };
          if (unreadable(e, workflowId)) doubtful++;
          listed.push(e);
        }
        const oldest = result.data[result.data.length - 1];
        const start = oldest ? startOf(oldest) : null;
        if (!result.nextCursor || (start !== null && start < sinceMs - SKEW_MS)) {
          complete = true;
          break;
        }
        cursor = result.nextCursor;
      }
      if (!complete) return { state: 'unknown', reason: 'n8n holds more executions since then than one search reads.' };
      // Hidden ids: gaps in the listed range, and a few above the newest.
      const ids = listed.map((e) => Number(e.id)).filter(Number.isFinite);
      const top = ids.length ? Math.max(...ids) : 0;
      const bottom = ids.length ? Math.min(...ids) : 0;
      const have = new Set(ids);
      const wanted: number[] = [];
      for (let id = bottom + 1; id < top && wanted.length < MAX_PROBES; id++) if (!have.has(id)) wanted.push(id);
      /** One execution with its data; null when n8n has none with that id (anything else throws). */
      const fetchOne = (id: number) =>
        client.getExecution(String(id), { includeData: true }).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'N8N_NOT_FOUND') return null;
          throw error;
        });
      let probes = 0;
      for (const id of wanted) {
        const known = seen.get(String(id));
        if (known) {
          if (known.mark === runId) return { state: 'found', execution: known.execution };
          continue;
        }
        probes++;
        const e = await fetchOne(id);
        if (e && note(e) === runId) return { state: 'found', execution: { ...e, data: undefined } };
        if (e && unreadable(e, workflowId)) doubtful++;
      }
      for (let id = top + 1, misses = 0; id <= top + ABOVE && misses < 3 && probes < MAX_PROBES; id++, probes++) {
        const e = await fetchOne(id);
        if (!e) {
          misses++;
          continue;
        }
        if (note(e) === runId) return { state: 'found', execution: { ...e, data: undefined } };
        if (unreadable(e, workflowId)) doubtful++;
      }
      if (doubtful > 0)
        return {
          state: 'unknown',
          reason: `n8n holds ${doubtful} execution${doubtful === 1 ? '' : 's'} of that time whose data it has not saved or recovered yet`,
        };
      return { state: 'absent' };
    } catch (error) {
      return { state: 'unknown', reason: error instanceof Error ? error.message : String(error) };
    }
  };
}
