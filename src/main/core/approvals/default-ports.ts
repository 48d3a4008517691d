import type { Store } from '../db/store';
import type { ApprovalPorts, WaitingExecution } from './ports';

interface WaitingRow {
  id: number;
  instance_id: string;
  workflow_id: string | null;
  remote_id: string;
  mapping_id: string | null;
  payload_json: string | null;
}

/**
 * Runs Flightdeck dispatched that the sync has marked 'waiting' in the shared executions table,
 * with n8n's resume URL for a Wait node (`<base URL>/webhook-waiting/<execution id>`). Because
 * n8n 1.x can leave waiting executions out of its list endpoint, the sync must refresh these by
 * id (GET /executions/<id>) for them to show up here.
 */
export function waitingFromExecutionsTable(
  store: Store,
  findInstance: ApprovalPorts['findInstance'],
): () => WaitingExecution[] {
  const select = store.db.prepare(
    `SELECT id, instance_id, workflow_id, remote_id, mapping_id, payload_json FROM executions
     WHERE status = 'waiting' AND source = 'local' AND remote_id IS NOT NULL AND instance_id IS NOT NULL
     ORDER BY created_at_ms LIMIT 1000`,
  );
  return () =>
    (select.all() as WaitingRow[]).flatMap((row) => {
      const instance = findInstance({ instanceId: row.instance_id });
      if (!instance) return [];
      return [
        {
          instanceId: instance.id,
          remoteExecutionId: row.remote_id,
          workflowId: row.workflow_id,
          executionId: row.id,
          resumeUrl: `${instance.baseUrl.replace(/\/+$/, '')}/webhook-waiting/${encodeURIComponent(row.remote_id)}`,
          summary: `Workflow ${row.workflow_id ?? '(unknown)'} is waiting (execution ${row.remote_id})`,
          payload: row.payload_json === null ? null : (JSON.parse(row.payload_json) as unknown),
        },
      ];
    });
}
