import { AppError } from '../../../shared/result';
import { waitingFromN8n } from '../approvals/n8n-waits';
import { createHttpResumePort } from '../approvals/http-resume';
import { isInstanceBase, isOnInstance } from '../approvals/instance-urls';
import type { ApprovalPorts } from '../approvals/ports';
import type { Store } from '../db/store';
import type { InstancesService } from '../instances/instances-service';
import type { MappingService } from '../mappings/mapping-service';
import type { WaitingLookup } from '../n8n/waiting-lookup';
import type { DispatchJobPayload } from './emit';
import { storedRequest } from './executions-writer';

export interface ApprovalPortDeps {
  store: Store;
  now: () => number;
  mappings: MappingService;
  instances: InstancesService;
  /** The emitter's enqueue; bound late because the emitter itself needs the approvals service. */
  enqueueRun: () => (executionId: number, mapping: ReturnType<MappingService['get']>, body: unknown) => void;
  /** Signs resumes for n8n 2.x (its resume token) and tells closed executions apart. */
  waitingLookup?: WaitingLookup;
}

/** The approvals area's ports, on the real pipeline: gates enqueue, waits resume over HTTP. */
export function pipelineApprovalPorts(deps: ApprovalPortDeps): ApprovalPorts {
  const { db } = deps.store;
  const gated = db.prepare(
    `SELECT e.mapping_id, b.request_json, b.payload_json FROM executions e LEFT JOIN execution_bodies b ON b.id = e.id
     WHERE e.id = ? AND e.status = 'awaiting_approval'`,
  );
  const setStatus = db.prepare(
    "UPDATE executions SET status = ?, error = ?, updated_at_ms = ? WHERE id = ? AND status = 'awaiting_approval'",
  );
  const resume = createHttpResumePort(deps.waitingLookup ? { lookup: deps.waitingLookup } : {});

  // By id; by address only when exactly one instance has it (two behind one proxy differ by path).
  const findInstance: ApprovalPorts['findInstance'] = ({ instanceId, baseUrl }) => {
    if (instanceId) {
      const instance = deps.instances.find(instanceId);
      return instance
        ? { id: instance.id, baseUrl: instance.baseUrl, publicWebhookUrl: instance.publicWebhookUrl }
        : null;
    }
    if (baseUrl === undefined) return null;
    const matches = deps.instances.list().filter((i) => isInstanceBase(i, baseUrl));
    if (matches.length > 1)
      throw new AppError(
        'VALIDATION',
        `${matches.length} instances answer at ${baseUrl} (${matches.map((i) => i.name).join(', ')}): send instanceId instead of instanceUrl.`,
      );
    const [instance] = matches;
    return instance
      ? { id: instance.id, baseUrl: instance.baseUrl, publicWebhookUrl: instance.publicWebhookUrl }
      : null;
  };

  return {
    releaseGate(executionId) {
      const row = gated.get(executionId) as
        { mapping_id: string | null; request_json: string | null; payload_json: string | null } | undefined;
      if (!row?.mapping_id) throw new AppError('CONFLICT', `Run ${executionId} is no longer waiting for approval.`);
      const mapping = deps.mappings.get(row.mapping_id);
      const request = storedRequest(row.request_json ?? '{}', row.payload_json) as {
        body?: DispatchJobPayload['body'];
      };
      const body = request.body;
      setStatus.run('queued', null, deps.now(), executionId);
      deps.enqueueRun()(executionId, mapping, body);
    },
    rejectGate: (executionId, reason) => void setStatus.run('rejected', reason, deps.now(), executionId),
    // Resume only at the instance the wait belongs to: a signed registration cannot point elsewhere.
    resumeExecution: async (request) => {
      const instance = findInstance({ instanceId: request.instanceId });
      if (!instance || !isOnInstance(instance, request.resumeUrl)) {
        return { status: 400 };
      }
      return resume(request);
    },
    waitingExecutions: waitingFromN8n(deps.store, findInstance),
    findInstance,
  };
}
