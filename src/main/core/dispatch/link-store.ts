import type { ExecutionStatus } from '../../../shared/contract';
import { TERMINAL_STATUSES } from '../../../shared/contract/executions-model';
import type { Database } from 'better-sqlite3';
import { createRemoteStore } from '../n8n/remote-store';
import type { N8nExecution } from '../n8n/schemas';
import { mapN8nStatus } from '../n8n/status-map';
import type { WaitInfo } from '../n8n/waiting-item';

/** A local run n8n acknowledged whose execution the linker has not confirmed yet. */
export interface PendingRun {
  id: number;
  instance_id: string;
  /** The workflow it was sent to: the mapping's, else the synced workflow serving its path. */
  wf: string | null;
  event: string | null;
  status: ExecutionStatus;
  /** Set when n8n's answer named an execution (`{"executionId": …}`): to be confirmed. */
  remote_id: string | null;
  /** Its first dispatch attempt (nothing of it can have started in n8n earlier). */
  since_ms: number;
  /** When n8n acknowledged it (the answer's time). */
  acked_ms: number;
  unconfirmed_at_ms: number | null;
}

/** A linked local run (or a watched n8n execution) whose n8n status may still change. */
export interface OpenRow {
  id: number;
  source: 'local' | 'remote';
  instance_id: string;
  remote_id: string;
  status: ExecutionStatus;
  has_wait: number;
  /** 1 when a decision was delivered to n8n since the row last changed. */
  resumed: number;
}

/**
 * Runs n8n answered that may have an execution there: accepted (2xx), or answered with the
 * workflow's error (500; n8n ran it). 404s, refused connections and the like never reached n8n.
 */
const LINKABLE = `(e.status = 'succeeded' OR (e.status IN ('failed', 'dead_lettered') AND e.response_status = 500))`;

/** The linker's SQL, prepared once. Every write runs inside the caller's store.write. */
export function createLinkStore(db: Database) {
  const remote = createRemoteStore(db);
  const pending = db.prepare(`SELECT e.id, e.instance_id, e.event, e.status, e.remote_id, e.unconfirmed_at_ms,
      coalesce(e.started_at_ms, e.created_at_ms) AS since_ms, coalesce(e.finished_at_ms, e.updated_at_ms) AS acked_ms,
      coalesce(e.workflow_id, (
        SELECT w.id FROM workflows w, json_each(w.webhook_paths_json) p
        WHERE w.instance_id = e.instance_id AND p.value = json_extract(m.config_json, '$.webhookPath') LIMIT 1)) AS wf
    FROM executions e LEFT JOIN mappings m ON m.id = e.mapping_id
    WHERE e.source = 'local' AND e.linked_at_ms IS NULL AND e.instance_id IS NOT NULL
      AND e.updated_at_ms >= ? AND (${LINKABLE} OR e.remote_id IS NOT NULL)
    ORDER BY e.id LIMIT 5000`);
  const linkable = db.prepare(`SELECT e.id, e.instance_id, e.event, e.status, e.remote_id, e.unconfirmed_at_ms,
      coalesce(e.started_at_ms, e.created_at_ms) AS since_ms, coalesce(e.finished_at_ms, e.updated_at_ms) AS acked_ms,
      e.workflow_id AS wf
    FROM executions e
    WHERE e.id = ? AND e.instance_id = ? AND e.source = 'local' AND e.linked_at_ms IS NULL AND e.remote_id IS NULL
      AND ${LINKABLE}`);
  const localRun = db.prepare("SELECT event FROM executions WHERE id = ? AND instance_id = ? AND source = 'local'");
  const holder = db.prepare('SELECT id, source FROM executions WHERE instance_id = ? AND remote_id = ?');
  const link =
    db.prepare(`UPDATE executions SET remote_id = @remoteId, workflow_id = coalesce(@workflowId, workflow_id),
      status = @status, mode = coalesce(@mode, mode), started_at_ms = coalesce(@startedAt, started_at_ms),
      finished_at_ms = CASE WHEN @terminal THEN coalesce(@stoppedAt, finished_at_ms) ELSE NULL END,
      duration_ms = CASE WHEN @terminal AND @startedAt IS NOT NULL AND @stoppedAt IS NOT NULL
        THEN max(0, @stoppedAt - @startedAt) WHEN @terminal THEN duration_ms ELSE NULL END,
      wait_json = CASE WHEN @status = 'waiting' THEN coalesce(@wait, wait_json) ELSE NULL END,
      linked_at_ms = coalesce(linked_at_ms, @now), unconfirmed_at_ms = NULL, updated_at_ms = @now
    WHERE id = @id AND status IN ('succeeded', 'failed', 'dead_lettered')`);
  const refresh = db.prepare(`UPDATE executions SET status = @status, mode = coalesce(@mode, mode),
      started_at_ms = coalesce(@startedAt, started_at_ms),
      finished_at_ms = CASE WHEN @terminal THEN coalesce(@stoppedAt, finished_at_ms) ELSE finished_at_ms END,
      duration_ms = CASE WHEN @terminal AND @startedAt IS NOT NULL AND @stoppedAt IS NOT NULL
        THEN max(0, @stoppedAt - @startedAt) ELSE duration_ms END,
      wait_json = CASE WHEN @status = 'waiting' THEN coalesce(@wait, wait_json) ELSE wait_json END,
      updated_at_ms = @now
    WHERE id = @id AND (status IS NOT @status OR (@status = 'waiting' AND @wait IS NOT NULL AND wait_json IS NULL)
      OR finished_at_ms IS NOT CASE WHEN @terminal THEN coalesce(@stoppedAt, finished_at_ms) ELSE finished_at_ms END)`);
  const unlink = db.prepare(
    "UPDATE executions SET remote_id = NULL, updated_at_ms = ? WHERE id = ? AND source = 'local' AND linked_at_ms IS NULL",
  );
  const flag = db.prepare(`UPDATE executions SET unconfirmed_at_ms = ?, updated_at_ms = ?
    WHERE id = ? AND unconfirmed_at_ms IS NULL AND linked_at_ms IS NULL AND remote_id IS NULL AND status = 'succeeded'`);
  // `resumed`: a decision reached n8n since the row last changed, so n8n is about to move on.
  const openLocal = db.prepare(`SELECT e.id, e.source, e.instance_id, e.remote_id, e.status,
      e.wait_json IS NOT NULL AS has_wait,
      EXISTS (SELECT 1 FROM approvals a WHERE a.kind = 'wait' AND a.instance_id = e.instance_id
        AND a.remote_execution_id = e.remote_id AND a.resume_state = 'resumed' AND a.updated_at_ms >= max(e.updated_at_ms, @recent)) AS resumed
    FROM executions e WHERE e.source = 'local' AND e.linked_at_ms IS NOT NULL AND e.remote_id IS NOT NULL
      AND e.status IN ('running', 'waiting') ORDER BY e.id LIMIT 1000`);
  const openRemote = db.prepare(`SELECT id, source, instance_id, remote_id, status, wait_json IS NOT NULL AS has_wait,
      0 AS resumed
    FROM executions WHERE source = 'remote' AND instance_id = ?
      AND (status = 'running' OR (status = 'waiting' AND wait_json IS NULL)) ORDER BY id DESC LIMIT 200`);
  const setRemoteWait = db.prepare(
    "UPDATE executions SET wait_json = ? WHERE instance_id = ? AND remote_id = ? AND source = 'remote' AND wait_json IS NOT ?",
  );
  const remoteHasWait = db
    .prepare(
      "SELECT wait_json IS NOT NULL FROM executions WHERE instance_id = ? AND remote_id = ? AND source = 'remote'",
    )
    .pluck();
  const scannedTo = db.prepare('SELECT scanned_to_id FROM n8n_wait_watch WHERE instance_id = ?').pluck();
  const setScannedTo =
    db.prepare(`INSERT INTO n8n_wait_watch (instance_id, scanned_to_id, updated_at_ms) VALUES (?, ?, ?)
    ON CONFLICT (instance_id) DO UPDATE SET scanned_to_id = excluded.scanned_to_id, updated_at_ms = excluded.updated_at_ms`);

  const fields = (e: N8nExecution, wait: WaitInfo | null) => {
    const status = mapN8nStatus(e);
    return {
      status,
      terminal: TERMINAL_STATUSES.includes(status) ? 1 : 0,
      mode: e.mode ?? null,
      startedAt: e.startedAt ?? null,
      stoppedAt: e.stoppedAt ?? null,
      wait: wait ? JSON.stringify(wait) : null,
    };
  };

  return {
    /** Runs waiting for their link, acknowledged at or after `sinceMs`. */
    pending: (sinceMs: number) => pending.all(sinceMs) as PendingRun[],
    /** A run a mark names, when it still waits for its link (a late match). */
    linkable: (runId: number, instanceId: string) => linkable.get(runId, instanceId) as PendingRun | undefined,
    /** Whether a local run with this id exists on this instance (a mark from this console), and its event. */
    localRun: (runId: number, instanceId: string) =>
      localRun.get(runId, instanceId) as { event: string | null } | undefined,
    /** The row holding an n8n execution id, if any. */
    holder: (instanceId: string, remoteId: string) =>
      holder.get(instanceId, remoteId) as { id: number; source: 'local' | 'remote' } | undefined,
    /**
     * Links a run to its execution (a synced row of it is folded in by a trigger) and confirms it;
     * false when the run moved on meanwhile (requeued, retried in place).
     */
    link: (runId: number, e: N8nExecution, wait: WaitInfo | null, now: number): boolean =>
      link.run({ id: runId, remoteId: e.id, workflowId: e.workflowId ?? null, now, ...fields(e, wait) }).changes > 0,
    /** n8n's current state of a linked row; true when something changed. */
    refresh: (rowId: number, e: N8nExecution, wait: WaitInfo | null, now: number) =>
      refresh.run({ id: rowId, now, ...fields(e, wait) }).changes > 0,
    /** Forgets an execution id n8n's answer named but n8n does not confirm. */
    unlink: (runId: number, now: number) => unlink.run(now, runId).changes > 0,
    flagUnconfirmed: (runId: number, now: number) => flag.run(now, now, runId).changes > 0,
    /** Linked runs n8n still runs or holds; `resumed` counts decisions delivered since `recentMs`. */
    openLocal: (recentMs: number) => openLocal.all({ recent: recentMs }) as OpenRow[],
    openRemote: (instanceId: string) => openRemote.all(instanceId) as OpenRow[],
    /** Stores an execution the list leaves out (the sync cannot see it), with what it waits on. */
    recordRemote(instanceId: string, e: N8nExecution, wait: WaitInfo | null, now: number): boolean {
      let changed = remote.upsertExecutions(instanceId, [e], now) > 0;
      if (wait)
        changed =
          setRemoteWait.run(JSON.stringify(wait), instanceId, e.id, JSON.stringify(wait)).changes > 0 || changed;
      return changed;
    },
    remoteHasWait: (instanceId: string, remoteId: string) => remoteHasWait.get(instanceId, remoteId) === 1,
    scannedTo: (instanceId: string) => scannedTo.get(instanceId) as number | undefined,
    setScannedTo: (instanceId: string, id: number, now: number) => void setScannedTo.run(instanceId, id, now),
  };
}

export type LinkStore = ReturnType<typeof createLinkStore>;
