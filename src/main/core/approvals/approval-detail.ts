import type { ApprovalDetail } from '../../../shared/contract/approvals';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { toApproval, type ApprovalRows } from './approval-rows';

interface RelatedRow {
  id: number;
  source: 'local' | 'remote';
  instance_id: string | null;
  remote_id: string | null;
  status: string;
  created_at_ms: number;
  finished_at_ms: number | null;
  error: string | null;
}

/** Everything the detail pane shows: the item, its comments, its audit history, its mapping, related runs. */
export function approvalDetail(ctx: CoreContext, audit: AuditLog, rows: ApprovalRows, id: number): ApprovalDetail {
  const { db } = ctx.store;
  const row = rows.get(id);
  const comments = db
    .prepare('SELECT id, at_ms AS atMs, author, body FROM approval_comments WHERE approval_id = ? ORDER BY at_ms, id')
    .all(id) as ApprovalDetail['comments'];
  const history = audit.list({ targetType: 'approval', targetId: String(id), limit: 200 }).entries.reverse();
  const mappingJson = row.mapping_id
    ? (db.prepare('SELECT config_json FROM mappings WHERE id = ?').pluck().get(row.mapping_id) as string | undefined)
    : undefined;
  const related = db
    .prepare(
      `SELECT id, source, instance_id, remote_id, status, created_at_ms, finished_at_ms, error FROM executions
       WHERE id = @executionId OR (@instanceId IS NOT NULL AND @workflowId IS NOT NULL
         AND instance_id = @instanceId AND workflow_id = @workflowId)
       ORDER BY created_at_ms DESC, id DESC LIMIT 20`,
    )
    .all({ executionId: row.execution_id, instanceId: row.instance_id, workflowId: row.workflow_id }) as RelatedRow[];
  return {
    item: toApproval(row),
    comments,
    history,
    mapping: mappingJson ? (JSON.parse(mappingJson) as Record<string, unknown>) : null,
    related: related.map((r) => ({
      id: r.id,
      source: r.source,
      instanceId: r.instance_id,
      remoteId: r.remote_id,
      status: r.status,
      createdAtMs: r.created_at_ms,
      finishedAtMs: r.finished_at_ms,
      error: r.error,
    })),
  };
}
