import { waitInboxSchema } from '../../../shared/contract/instances';
import type { Store } from '../db/store';
import { resumableByDecision, summarizeFields, type WaitInfo } from '../n8n/waiting-item';
import type { ApprovalPorts, WaitingExecution } from './ports';

interface WaitingRow {
  id: number;
  source: 'local' | 'remote';
  instance_id: string;
  workflow_id: string | null;
  remote_id: string;
  mapping_id: string | null;
  event: string | null;
  payload_json: string | null;
  wait_json: string;
  workflow_name: string | null;
  mapping_name: string | null;
  wait_inbox_json: string;
}

const parse = (json: string | null): unknown => {
  if (json === null) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
};

/** `<name>: <fields>`, never an id: what a person reads in the inbox. */
export function waitTitle(name: string, fields: string, node: string): string {
  return fields ? `${name}: ${fields}` : `${name}: waiting at “${node}”`;
}

/**
 * The n8n executions waiting for a decision that are not in the inbox yet, with a readable title:
 * - runs Flightdeck dispatched that n8n holds `waiting` (linked by the linker), titled with the
 *   mapping's name and the payload's fields;
 * - executions started directly in n8n, on instances (and workflows) where the operator turned
 *   this on, titled with the workflow's name and the fields of the waiting item.
 * Only waits a decision can resume (a Wait node resumed by a POST webhook call) are listed; the
 * linker reads what each one waits on (wait_json) from n8n's run data.
 */
export function waitingFromN8n(store: Store, findInstance: ApprovalPorts['findInstance']): () => WaitingExecution[] {
  const select = store.db.prepare(
    `SELECT e.id, e.source, e.instance_id, e.workflow_id, e.remote_id, e.mapping_id, e.event,
       (SELECT payload_json FROM execution_bodies WHERE id = e.id) AS payload_json, e.wait_json,
       w.name AS workflow_name, json_extract(m.config_json, '$.name') AS mapping_name, i.wait_inbox_json
     FROM executions e
     JOIN instances i ON i.id = e.instance_id
     LEFT JOIN workflows w ON w.instance_id = e.instance_id AND w.id = e.workflow_id
     LEFT JOIN mappings m ON m.id = e.mapping_id
     WHERE e.status = 'waiting' AND e.remote_id IS NOT NULL AND e.wait_json IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM approvals a
         WHERE a.kind = 'wait' AND a.instance_id = e.instance_id AND a.remote_execution_id = e.remote_id)
     ORDER BY e.created_at_ms LIMIT 1000`,
  );
  return () =>
    (select.all() as WaitingRow[]).flatMap((row): WaitingExecution[] => {
      const wait = parse(row.wait_json) as WaitInfo | null;
      if (!resumableByDecision(wait) || !wait) return [];
      if (row.source === 'remote') {
        const option = waitInboxSchema.safeParse(parse(row.wait_inbox_json));
        if (!option.success || !option.data.enabled) return [];
        const only = option.data.workflowIds;
        if (only.length > 0 && (!row.workflow_id || !only.includes(row.workflow_id))) return [];
      }
      const instance = findInstance({ instanceId: row.instance_id });
      if (!instance) return [];
      const local = row.source === 'local';
      const payload = local ? parse(row.payload_json) : wait.item;
      const name = local
        ? row.mapping_name || row.event || wait.workflowName || 'A run'
        : row.workflow_name || wait.workflowName || 'An n8n workflow';
      const suffix = wait.suffix ? `/${wait.suffix.replace(/^\/+/, '')}` : '';
      return [
        {
          instanceId: instance.id,
          remoteExecutionId: row.remote_id,
          workflowId: row.workflow_id,
          executionId: local ? row.id : null,
          mappingId: local ? row.mapping_id : null,
          event: local ? row.event : null,
          resumeUrl: `${instance.baseUrl.replace(/\/+$/, '')}/webhook-waiting/${encodeURIComponent(row.remote_id)}${suffix}`,
          summary: waitTitle(name, summarizeFields(payload), wait.node),
          payload,
        },
      ];
    });
}
