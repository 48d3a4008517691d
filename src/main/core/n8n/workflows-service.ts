import type { CallArgs, ExecutionStatus, Workflow, WorkflowNodeSummary } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { Clients } from './clients';
import type { ExecutionsReader } from './executions-reader';
import { lineOf, liveVerbs } from './n8n-line';
import { workflowRow } from './remote-store';

interface WorkflowRow {
  instance_id: string;
  id: string;
  name: string;
  active: number;
  tags_json: string;
  node_count: number;
  nodes_json: string;
  webhook_paths_json: string;
  version_id: string | null;
  updated_at_ms: number | null;
  synced_at_ms: number;
  active_version_id: string | null;
  draft_webhook_paths_json: string;
  draft_differs: number;
  is_archived: number;
  live_since_ms: number | null;
  n8n_version: string | null;
  execution_count: number | null;
  last_status: ExecutionStatus | null;
  last_execution_at_ms: number | null;
}

const toWorkflow = (r: WorkflowRow): Workflow => ({
  instanceId: r.instance_id,
  id: r.id,
  name: r.name,
  active: r.active === 1,
  tags: JSON.parse(r.tags_json) as string[],
  nodeCount: r.node_count,
  webhookPaths: JSON.parse(r.webhook_paths_json) as string[],
  versionId: r.version_id,
  activeVersionId: r.active_version_id,
  draftDiffers: r.draft_differs === 1,
  draftWebhookPaths: JSON.parse(r.draft_webhook_paths_json) as string[],
  archived: r.is_archived === 1,
  liveSinceMs: r.live_since_ms,
  n8nVersion: r.n8n_version,
  updatedAtMs: r.updated_at_ms,
  syncedAtMs: r.synced_at_ms,
  executionCount: r.execution_count ?? 0,
  lastStatus: r.last_status,
  lastExecutionAtMs: r.last_execution_at_ms,
});

// Counts and last status per workflow, from the executions table (index executions_workflow).
const SELECT = `SELECT w.*,
    (SELECT s.n8n_version FROM instance_sync_state s WHERE s.instance_id = w.instance_id) AS n8n_version,
    (SELECT COUNT(*) FROM executions e WHERE e.instance_id = w.instance_id AND e.workflow_id = w.id) AS execution_count,
    (SELECT e.status FROM executions e WHERE e.instance_id = w.instance_id AND e.workflow_id = w.id
       ORDER BY e.created_at_ms DESC LIMIT 1) AS last_status,
    (SELECT MAX(e.created_at_ms) FROM executions e WHERE e.instance_id = w.instance_id AND e.workflow_id = w.id)
       AS last_execution_at_ms
  FROM workflows w`;

/** The synced workflows across instances, and the one write back to n8n: make live or stop. */
export function createWorkflowsService(
  ctx: CoreContext,
  audit: AuditLog,
  clients: Clients,
  executions: ExecutionsReader,
) {
  const { db } = ctx.store;

  function list(query: CallArgs<'workflows:list'>): { workflows: Workflow[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: query.limit };
    const add = (clause: string, key: string, value: unknown) => {
      where.push(clause);
      params[key] = value;
    };
    if (query.instanceId) add('w.instance_id = @instanceId', 'instanceId', query.instanceId);
    if (query.active !== undefined) add('w.active = @active', 'active', query.active ? 1 : 0);
    if (query.search) add(`w.name LIKE @search ESCAPE '\\'`, 'search', `%${query.search.replace(/[%_\\]/g, '\\$&')}%`);
    if (query.tag) add('EXISTS (SELECT 1 FROM json_each(w.tags_json) t WHERE t.value = @tag)', 'tag', query.tag);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = db.prepare(`SELECT COUNT(*) FROM workflows w ${clause}`).pluck().get(params) as number;
    const rows = db
      .prepare(`${SELECT} ${clause} ORDER BY w.name COLLATE NOCASE, w.instance_id LIMIT @limit`)
      .all(params) as WorkflowRow[];
    return { workflows: rows.map(toWorkflow), total };
  }

  function row(instanceId: string, workflowId: string): WorkflowRow {
    const found = db.prepare(`${SELECT} WHERE w.instance_id = ? AND w.id = ?`).get(instanceId, workflowId) as
      WorkflowRow | undefined;
    if (!found)
      throw new AppError(
        'NOT_FOUND',
        `No synced workflow ${workflowId} on this instance: sync the instance, or it was deleted in n8n.`,
      );
    return found;
  }

  function get({ instanceId, workflowId }: CallArgs<'workflows:get'>) {
    const r = row(instanceId, workflowId);
    return {
      workflow: toWorkflow(r),
      nodes: JSON.parse(r.nodes_json) as WorkflowNodeSummary[],
      recentExecutions: executions.list({ instanceId, workflowId, limit: 20 }).executions,
    };
  }

  // The console's own publish: n8n's answer replaces the row (the version that is now live, its
  // paths), and live_since_ms records the moment for the dispatcher's post-publish grace.
  const storeAnswer = db.prepare(`UPDATE workflows SET name = @name, active = @active, node_count = @node_count,
      nodes_json = @nodes_json, webhook_paths_json = @webhook_paths_json, version_id = @version_id,
      updated_at_ms = COALESCE(@updated_at_ms, updated_at_ms), active_version_id = @active_version_id,
      draft_webhook_paths_json = @draft_webhook_paths_json, draft_differs = @draft_differs,
      live_since_ms = CASE WHEN @active = 1 THEN @synced_at_ms END
    WHERE instance_id = @instance_id AND id = @id`);

  /**
   * Makes the workflow live or stops it in n8n first (publish/unpublish on 2.x, activate/deactivate
   * on 1.x); stores n8n's answer and the audit entry in one write.
   */
  async function setActive({
    instanceId,
    workflowId,
    active,
    reason,
  }: CallArgs<'workflows:setActive'>): Promise<Workflow> {
    const before = toWorkflow(row(instanceId, workflowId));
    const client = clients.forInstance(instanceId);
    client.rememberVersion(before.n8nVersion);
    const answer = await client.setWorkflowLive(workflowId, active);
    const verbs = liveVerbs(lineOf(client.knownVersion));
    return ctx.store.write((announce) => {
      const {
        tags_json: _tags,
        created_at_ms: _created,
        is_archived: _archived,
        ...fields
      } = workflowRow(instanceId, answer, ctx.clock.now());
      storeAnswer.run(fields);
      audit.record(announce, {
        actor: ctx.operator(),
        action: `workflow.${active ? verbs.on : verbs.off}`,
        targetType: 'workflow',
        targetId: `${instanceId}/${workflowId}`,
        reason: reason ?? null,
        details: {
          name: before.name,
          wasActive: before.active,
          isActive: answer.active,
          liveVersionId: answer.activeVersionId ?? null,
        },
      });
      announce('workflows:changed', { instanceId });
      return toWorkflow(row(instanceId, workflowId));
    });
  }

  return { list, get, setActive };
}
