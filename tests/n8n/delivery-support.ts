/**
 * Helpers of the delivery live tests (issue #12): SIGKILL a running n8n, count n8n executions
 * per run mark, and make many contract calls to a running console over one WebSocket.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { markOf } from '../../src/main/core/dispatch/run-lookup';
import { api, type N8nInstance } from './harness';

/** The pids of the n8n processes serving this instance's port (found in /proc: the harness keeps its child to itself). */
export function n8nPids(n8n: Pick<N8nInstance, 'port'>): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('n8n/bin/n8n')) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`N8N_PORT=${n8n.port}`)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read: not the one.
    }
  }
  return pids;
}

/** The pids of the processes `pid` started (n8n 2.x starts its task runner as a child). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid; the command name before it is in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/**
 * SIGKILLs n8n (no graceful shutdown: in-flight requests and executions are cut short), with the
 * task runner n8n 2.x runs beside it, as a crash of the machine or container would: an orphaned
 * runner would keep knocking at the restarted n8n's task broker with a stale token.
 */
export async function killN8n(n8n: Pick<N8nInstance, 'port' | 'baseUrl'>): Promise<void> {
  const pids = n8nPids(n8n);
  if (pids.length === 0) throw new Error(`no n8n process serves port ${n8n.port}`);
  const runners = pids.flatMap(childPids);
  for (const pid of [...pids, ...runners]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (a runner ends with its parent).
    }
  }
  // Until the port refuses connections.
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${n8n.baseUrl}/healthz`, { signal: AbortSignal.timeout(500) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('n8n still answers after SIGKILL');
}

interface Listed {
  id: string;
  status: string;
  workflowId: string;
  data?: unknown;
  /** n8n recorded it but ran no node (a call cut as n8n stopped: `crashed`, no run data). */
  ranNothing?: boolean;
}

/**
 * Every execution n8n holds (with its data), grouped by the Flightdeck run it carries the mark of.
 * Executions n8n recorded but ran no node of (`ranNothing`) are listed too: a run "ran twice" only
 * when two executions of it ran.
 */
export async function executionsByRun(
  n8n: Pick<N8nInstance, 'baseUrl' | 'apiKey'>,
  workflowId?: string,
): Promise<Map<number, Listed[]>> {
  const byRun = new Map<number, Listed[]>();
  let cursor: string | undefined;
  for (;;) {
    const page = await api<{ data: Listed[]; nextCursor?: string | null }>(
      n8n,
      'GET',
      `/executions?includeData=true&limit=100${workflowId ? `&workflowId=${workflowId}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const e of page.data) {
      const run = markOf(e.data)?.runId;
      if (run === undefined) continue;
      const runData = (e.data as { resultData?: { runData?: Record<string, unknown> } } | undefined)?.resultData
        ?.runData;
      const ranNothing = e.status === 'crashed' && Object.keys(runData ?? {}).length === 0;
      byRun.set(run, [
        ...(byRun.get(run) ?? []),
        { id: e.id, status: e.status, workflowId: e.workflowId, ...(ranNothing ? { ranNothing } : {}) },
      ]);
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return byRun;
}

/** One WebSocket to a running console (the headless host) for many calls, as a window would make them. */
export async function consoleSocket(url: string) {
  const { default: WebSocket } = await import('ws');
  const parsed = new URL(url.replace('#token=', '?token='));
  const token = parsed.searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://${parsed.host}/api`, ['flightdeck.v1', `token.${token}`]);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let next = 1;
  const waiting = new Map<number, (result: { ok: boolean; data?: unknown; error?: unknown }) => void>();
  ws.on('message', (m) => {
    const frame = JSON.parse(String(m)) as { id?: number; result?: { ok: boolean; data?: unknown; error?: unknown } };
    if (frame.id !== undefined && frame.result) waiting.get(frame.id)?.(frame.result);
  });
  ws.on('error', () => undefined);
  return {
    async call<T>(channel: string, input: unknown): Promise<T> {
      const id = next++;
      const reply = new Promise<{ ok: boolean; data?: unknown; error?: unknown }>((resolve) =>
        waiting.set(id, resolve),
      );
      ws.send(JSON.stringify({ type: 'call', id, channel, input }));
      const result = await reply;
      waiting.delete(id);
      if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result.error)}`);
      return result.data as T;
    },
    close: () => ws.close(),
  };
}

/** Local runs as the console lists them. */
export interface RunRow {
  id: number;
  status: string;
  error: string | null;
  remoteId: string | null;
}

export const TERMINAL = ['succeeded', 'failed', 'dead_lettered', 'canceled', 'rejected'];

/**
 * Waits for a long delivery to finish at the pace the machine allows: `check` returns the result
 * once done, and a snapshot of progress (counts per status, say) every time. The wait fails only
 * when the snapshot has not changed for `stallMs` (stuck, not slow: on a loaded 2-core box n8n
 * may deliver one run a second), or after `capMs` in all. Logs the snapshot every 15 s, so a slow
 * run can be told from a stuck one. Test timeouts must exceed `capMs` plus what comes before.
 */
export async function untilSettled<T>(
  what: string,
  check: () => Promise<{ done?: T; progress: unknown }>,
  options: { stallMs?: number; capMs?: number } = {},
): Promise<T> {
  const stallMs = options.stallMs ?? 180_000;
  const started = Date.now();
  const cap = started + (options.capMs ?? 1_200_000);
  let last = '';
  let changedAt = started;
  let loggedAt = 0;
  for (;;) {
    const { done, progress } = await check();
    if (done !== undefined) return done;
    const now = Date.now();
    const seen = JSON.stringify(progress);
    if (seen !== last) {
      last = seen;
      changedAt = now;
    }
    if (now - loggedAt >= 15_000) {
      loggedAt = now;
      console.log(`${new Date(now).toISOString()} ${what}: ${seen}`);
    }
    if (now - changedAt > stallMs)
      throw new Error(`stuck waiting for ${what}: no progress for ${Math.round(stallMs / 1000)} s; last seen: ${seen}`);
    if (now > cap)
      throw new Error(`gave up waiting for ${what} after ${Math.round((now - started) / 1000)} s; last seen: ${seen}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
