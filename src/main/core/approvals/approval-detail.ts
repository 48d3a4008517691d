import type { ApprovalDetail } from '../../../shared/contract/approvals';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { createLineageReader } from '../dispatch/run-lineage';
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
  // Related = this item's own run and its retry chain; a wait's run is the synced n8n execution.
  const ownRun =
    row.execution_id ??
    (row.instance_id && row.remote_execution_id
      ? ((db
          .prepare('SELECT id FROM executions WHERE instance_id = ? AND remote_id = ?')
          .pluck()
          .get(row.instance_id, row.remote_execution_id) as number | undefined) ?? null)
      : null);
  const chainIds =
    ownRun === null
      ? []
      : (createLineageReader(db)
          .chain(ownRun)
          ?.chain.map((n) => n.run.id) ?? []);
  const related = chainIds.length
    ? (db
        .prepare(
          `SELECT id, source, instance_id, remote_id, status, created_at_ms, finished_at_ms, error FROM executions
           WHERE id IN (SELECT value FROM json_each(?)) ORDER BY created_at_ms, id`,
        )
        .all(JSON.stringify(chainIds)) as RelatedRow[])
    : [];
  const name = (sql: string, ...args: (string | null)[]): string | null =>
    args.some((a) => a === null)
      ? null
      : ((db
          .prepare(sql)
          .pluck()
          .get(...args) as string | undefined) ?? null);
  const mapping = mappingJson ? (JSON.parse(mappingJson) as Record<string, unknown>) : null;
  return {
    item: toApproval(row),
    comments,
    history,
    mapping,
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
    names: {
      instance: name('SELECT name FROM instances WHERE id = ?', row.instance_id),
      workflow: name('SELECT name FROM workflows WHERE instance_id = ? AND id = ?', row.instance_id, row.workflow_id),
      mapping: typeof mapping?.name === 'string' ? mapping.name : null,
    },
    approverNote: typeof mapping?.approverNote === 'string' ? mapping.approverNote : '',
  };
}
