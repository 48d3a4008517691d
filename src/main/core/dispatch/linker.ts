import type { CoreContext } from '../context';
import type { Lifecycle } from '../handlers';
import type { Clients } from '../n8n/clients';
import type { N8nExecution } from '../n8n/schemas';
import { mapN8nStatus } from '../n8n/status-map';
import { systemTimers, type Timers } from '../timers';

/** The header the dispatcher sends; n8n keeps it in the Webhook node's output. */
const MARK = /"x-flightdeck-execution-id":"(\d+)"/g;

export interface LinkerOptions {
  /** Between passes, ms. Default 5 000. */
  intervalMs?: number;
  /** Only runs dispatched this recently are looked for, ms. Default 1 hour. */
  windowMs?: number;
  timers?: Timers;
}

interface Pending {
  instance_id: string;
  /** Named apart from executions.workflow_id: SQLite would read that column in HAVING. */
  wf: string;
  ids: string;
}

/**
 * Links local runs to the n8n executions they started. n8n's webhook answer does not name the
 * execution, but n8n keeps the request headers in the Webhook node's output: the linker reads
 * recent executions of the run's workflow with their data and matches X-Flightdeck-Execution-Id.
 * A remote row the sync stored before the link is folded into the local run (never two rows).
 */
export function createLinker(
  ctx: CoreContext,
  clients: Clients,
  options: LinkerOptions = {},
): Lifecycle & { linkOnce(): Promise<number> } {
  const { db } = ctx.store;
  const intervalMs = options.intervalMs ?? 5_000;
  const windowMs = options.windowMs ?? 3_600_000;
  const timers = options.timers ?? systemTimers;

  // Workflow ids come from the mapping, or from the synced workflow that serves the webhook path.
  const pending = db.prepare(`SELECT e.instance_id, coalesce(e.workflow_id, (
        SELECT w.id FROM workflows w, json_each(w.webhook_paths_json) p
        WHERE w.instance_id = e.instance_id AND p.value = json_extract(m.config_json, '$.webhookPath') LIMIT 1)) AS wf,
      group_concat(e.id) AS ids
    FROM executions e LEFT JOIN mappings m ON m.id = e.mapping_id
    WHERE e.source = 'local' AND e.remote_id IS NULL AND e.status = 'succeeded' AND e.created_at_ms >= ?
    GROUP BY 1, 2 HAVING wf IS NOT NULL`);
  const foldRemote = db.prepare("DELETE FROM executions WHERE instance_id = ? AND remote_id = ? AND source = 'remote'");
  const link = db.prepare(`UPDATE executions SET remote_id = @remoteId, workflow_id = @workflowId, status = @status,
      mode = @mode, started_at_ms = coalesce(@startedAt, started_at_ms), finished_at_ms = coalesce(@stoppedAt, finished_at_ms),
      duration_ms = CASE WHEN @startedAt IS NOT NULL AND @stoppedAt IS NOT NULL THEN @stoppedAt - @startedAt ELSE duration_ms END,
      updated_at_ms = @now
    WHERE id = @id AND remote_id IS NULL`);

  async function linkGroup(group: Pending): Promise<number> {
    const wanted = new Set(group.ids.split(','));
    const page = await clients
      .forInstance(group.instance_id)
      .listExecutions({ workflowId: group.wf, includeData: true, limit: 50 });
    const matches: [number, N8nExecution][] = [];
    for (const execution of page.data) {
      for (const [, id] of JSON.stringify(execution.data ?? null).matchAll(MARK)) {
        if (id && wanted.has(id)) matches.push([Number(id), execution]);
      }
    }
    if (matches.length === 0) return 0;
    return ctx.store.write((announce) => {
      for (const [id, e] of matches) {
        foldRemote.run(group.instance_id, e.id);
        link.run({
          id,
          remoteId: e.id,
          workflowId: group.wf,
          status: mapN8nStatus(e),
          mode: e.mode ?? null,
          startedAt: e.startedAt ?? null,
          stoppedAt: e.stoppedAt ?? null,
          now: ctx.clock.now(),
        });
      }
      announce('executions:changed', { ids: matches.map(([id]) => id) });
      return matches.length;
    });
  }

  async function linkOnce(): Promise<number> {
    let linked = 0;
    for (const group of pending.all(ctx.clock.now() - windowMs) as Pending[]) {
      try {
        linked += await linkGroup(group);
      } catch (error) {
        // n8n unreachable or the instance gone: the next pass tries again; nothing is lost.
        ctx.logger.debug('Linker pass skipped a workflow', { instanceId: group.instance_id, error });
      }
    }
    return linked;
  }

  let timer: unknown;
  let stopped = false;
  let running: Promise<unknown> | undefined;
  const loop = () => {
    if (stopped) return;
    running = linkOnce().finally(() => {
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
