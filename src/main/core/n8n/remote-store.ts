import type { Database } from 'better-sqlite3';
import { draftDiffers, liveVersionOf } from './live-version';
import type { N8nExecution, N8nWorkflow } from './schemas';
import { createRollupBatch } from '../metrics/rollup-batch';
import { mapN8nStatus } from './status-map';

const WEBHOOK_TYPES = new Set(['n8n-nodes-base.webhook', 'n8n-nodes-base.formTrigger']);

/**
 * Where each Webhook node of a workflow is served: /webhook/<path> when the node has a
 * webhookId, else /webhook/<workflowId>/<node name>/<path> (n8n 1.x).
 */
export function webhookPaths(workflow: { id: string; nodes: N8nWorkflow['nodes'] }): string[] {
  const paths: string[] = [];
  for (const node of workflow.nodes) {
    if (!WEBHOOK_TYPES.has(node.type) || node.disabled) continue;
    const path = node.parameters?.path;
    if (typeof path !== 'string' || !path) continue;
    const clean = path.replace(/^\/+/, '');
    paths.push(node.webhookId ? clean : `${workflow.id}/${encodeURIComponent(node.name)}/${clean}`);
  }
  return paths;
}

/** SQL for the synced copies: prepared once per store, used inside the sync's writes. */
export function createRemoteStore(db: Database) {
  // live_since_ms moves only when a (new) version goes live; a pass that read the list before
  // the console's own publish landed (active = 0 here) keeps the console's stamp.
  const upsertWorkflow = db.prepare(`INSERT INTO workflows
      (instance_id, id, name, active, tags_json, node_count, nodes_json, webhook_paths_json, version_id,
       created_at_ms, updated_at_ms, synced_at_ms, active_version_id, draft_webhook_paths_json, draft_differs,
       is_archived, live_since_ms)
    VALUES (@instance_id, @id, @name, @active, @tags_json, @node_count, @nodes_json, @webhook_paths_json, @version_id,
       @created_at_ms, @updated_at_ms, @synced_at_ms, @active_version_id, @draft_webhook_paths_json, @draft_differs,
       @is_archived, NULL)
    ON CONFLICT (instance_id, id) DO UPDATE SET name = excluded.name, active = excluded.active,
      tags_json = excluded.tags_json, node_count = excluded.node_count, nodes_json = excluded.nodes_json,
      webhook_paths_json = excluded.webhook_paths_json, version_id = excluded.version_id,
      created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms, synced_at_ms = excluded.synced_at_ms,
      active_version_id = excluded.active_version_id, draft_webhook_paths_json = excluded.draft_webhook_paths_json,
      draft_differs = excluded.draft_differs, is_archived = excluded.is_archived,
      live_since_ms = CASE WHEN excluded.active = 1
          AND (workflows.active = 0 OR workflows.active_version_id IS NOT excluded.active_version_id)
        THEN excluded.synced_at_ms ELSE workflows.live_since_ms END`);

  // Only a real change counts (and touches updated_at_ms): re-reading a page is free of churn.
  // An execution already held by a local run (linked) updates that run, never a second row, and
  // confirms it: n8n itself listed it (linked_at_ms).
  const upsertExecution = db.prepare(`INSERT INTO executions
      (source, instance_id, workflow_id, remote_id, status, mode, retry_of, created_at_ms, started_at_ms,
       finished_at_ms, duration_ms, updated_at_ms)
    VALUES ('remote', @instance_id, @workflow_id, @remote_id, @status, @mode, @retry_of, @created_at_ms, @started_at_ms,
       @finished_at_ms, @duration_ms, @now)
    ON CONFLICT (instance_id, remote_id) DO UPDATE SET status = excluded.status, mode = excluded.mode,
      retry_of = excluded.retry_of, workflow_id = COALESCE(excluded.workflow_id, executions.workflow_id),
      started_at_ms = excluded.started_at_ms, finished_at_ms = excluded.finished_at_ms,
      duration_ms = excluded.duration_ms, updated_at_ms = excluded.updated_at_ms,
      linked_at_ms = CASE WHEN executions.source = 'local' THEN coalesce(executions.linked_at_ms, excluded.updated_at_ms) END,
      unconfirmed_at_ms = NULL
    WHERE executions.status IS NOT excluded.status OR executions.finished_at_ms IS NOT excluded.finished_at_ms
      OR executions.retry_of IS NOT excluded.retry_of OR executions.mode IS NOT excluded.mode
      OR executions.started_at_ms IS NOT excluded.started_at_ms
      OR (executions.source = 'local' AND executions.linked_at_ms IS NULL)`);

  /**
   * Replaces the instance's workflows with n8n's current list (deleted ones disappear). Nodes and
   * webhook paths are those of the version n8n runs (published, on 2.x) when one is live, else
   * of the saved draft; the draft's paths are kept beside them.
   */
  function replaceWorkflows(instanceId: string, workflows: N8nWorkflow[], now: number): number {
    for (const w of workflows) upsertWorkflow.run(workflowRow(instanceId, w, now));
    db.prepare(`DELETE FROM workflows WHERE instance_id = ? AND synced_at_ms < ?`).run(instanceId, now);
    return workflows.length;
  }

  // New rows of a page reach the metric rollups in one GROUP BY, not two upserts per row.
  const withBatchedRollups = createRollupBatch(db);

  /**
   * Idempotent upsert on UNIQUE(instance_id, remote_id); returns how many rows were new or
   * changed. Must run inside a transaction (the sync writes a page in one).
   */
  function upsertExecutions(instanceId: string, executions: N8nExecution[], now: number): number {
    return withBatchedRollups(() => upsertEach(instanceId, executions, now));
  }

  function upsertEach(instanceId: string, executions: N8nExecution[], now: number): number {
    let changed = 0;
    for (const e of executions) {
      const started = e.startedAt ?? null;
      const finished = e.stoppedAt ?? null;
      changed += upsertExecution.run({
        instance_id: instanceId,
        workflow_id: e.workflowId ?? null,
        remote_id: e.id,
        status: mapN8nStatus(e),
        mode: e.mode ?? null,
        retry_of: e.retryOf ?? null,
        created_at_ms: e.createdAt ?? started ?? now,
        started_at_ms: started,
        finished_at_ms: finished,
        duration_ms: started !== null && finished !== null ? Math.max(0, finished - started) : null,
        now,
      }).changes;
    }
    return changed;
  }

  const openBelow = db.prepare(`SELECT remote_id FROM executions
    WHERE instance_id = ? AND source = 'remote' AND status IN ('running', 'waiting')
      AND CAST(remote_id AS INTEGER) <= ? ORDER BY id DESC LIMIT ?`);

  /** Remote ids still running/waiting below the scan floor: refreshed one by one. */
  const openExecutionIds = (instanceId: string, floor: number, limit: number) =>
    openBelow.pluck().all(instanceId, floor, limit) as string[];

  return { replaceWorkflows, upsertExecutions, openExecutionIds };
}

export type RemoteStore = ReturnType<typeof createRemoteStore>;

/** The row of one workflow (the sync's upsert, and the console's own publish answer). */
export function workflowRow(instanceId: string, w: N8nWorkflow, now: number) {
  const live = liveVersionOf(w);
  const shown = live ?? w;
  return {
    instance_id: instanceId,
    id: w.id,
    name: w.name,
    active: w.active ? 1 : 0,
    tags_json: JSON.stringify((w.tags ?? []).map((t) => t.name)),
    node_count: shown.nodes.length,
    nodes_json: JSON.stringify(shown.nodes.map((n) => ({ name: n.name, type: n.type, disabled: n.disabled ?? false }))),
    webhook_paths_json: JSON.stringify(webhookPaths({ id: w.id, nodes: shown.nodes })),
    version_id: w.versionId ?? null,
    created_at_ms: w.createdAt ?? null,
    updated_at_ms: w.updatedAt ?? null,
    synced_at_ms: now,
    active_version_id: live ? live.versionId || null : null,
    draft_webhook_paths_json: JSON.stringify(webhookPaths(w)),
    draft_differs: draftDiffers(w) ? 1 : 0,
    is_archived: w.isArchived ? 1 : 0,
  };
}
