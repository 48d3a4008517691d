/**
 * The approvals area's ports: what it needs from work built elsewhere (the dispatch queue, the
 * n8n client, the instances registry, the sync). create-core.ts wires the implementations.
 */

/** What the dispatch pipeline passes to `createGate` when a mapping requires approval. */
export interface GateRequest {
  /** The local executions row, already inserted with status 'awaiting_approval'. */
  executionId: number;
  mappingId: string;
  instanceId: string;
  workflowId: string | null;
  event: string;
  payload: unknown;
  /** The mapping's priority, 0 (first) to 9 (last). */
  priority: number;
  /** Epoch ms when `expiryAction` is taken; null: never expires. */
  expiresAtMs: number | null;
  expiryAction: 'approve' | 'reject' | null;
  /** One line for the inbox, e.g. `order.created → Invoice workflow (amount 42)`. */
  summary: string;
}

/** The body n8n's Wait node receives on resume (visible to later nodes as `$json.body`). */
export interface ResumeBody {
  approved: boolean;
  comment: string | null;
  decidedBy: string;
}

/** One n8n execution in status 'waiting' that a decision can resume (see n8n-waits.ts). */
export interface WaitingExecution {
  instanceId: string;
  /** n8n's execution id. */
  remoteExecutionId: string;
  workflowId: string | null;
  /** The local executions row, when Flightdeck dispatched the run. */
  executionId: number | null;
  /** The mapping and event of a run Flightdeck dispatched. */
  mappingId?: string | null;
  event?: string | null;
  /** `<instance base URL>/webhook-waiting/<remoteExecutionId>`. */
  resumeUrl: string;
  /** The inbox title: a name and the fields of the payload, never an id. */
  summary: string;
  payload?: unknown;
}

export interface ApprovalPorts {
  /**
   * Approve of a gate: enqueue the held run for dispatch. Called synchronously INSIDE the
   * decision's store.write transaction, so the decision and the enqueue commit together (or
   * neither does). Throwing rolls the decision back.
   */
  releaseGate(executionId: number, decidedBy: string): void;
  /** Reject of a gate: set the local execution 'rejected' with the reason. Same transaction rules. */
  rejectGate(executionId: number, reason: string): void;
  /**
   * POSTs `body` (JSON) to an n8n execution's resume URL. Resolves with n8n's HTTP status (2xx:
   * resumed; 409: it had already resumed; 404: it is not waiting there). Rejects only when
   * n8n could not be reached; the decision is then retried later, never lost. `stillRunning`: the
   * 409 said the execution is running: it has not saved its wait yet (a registration from a
   * running execution, decided at once) or an earlier resume got through and it runs on.
   */
  resumeExecution(request: {
    instanceId: string;
    resumeUrl: string;
    body: ResumeBody;
  }): Promise<{ status: number; stillRunning?: boolean }>;
  /** n8n executions waiting for a decision that are not in the inbox yet (see n8n-waits.ts). */
  waitingExecutions(): Promise<WaitingExecution[]> | WaitingExecution[];
  /**
   * Resolves an n8n instance by id, or by its address (for registrations that name no id).
   * Throws VALIDATION when an address fits more than one instance.
   */
  findInstance(ref: { instanceId?: string; baseUrl?: string }): InstanceRef | null;
}

/** An n8n instance as the approvals area needs it: where it is, and n8n's public webhook base. */
export interface InstanceRef {
  id: string;
  baseUrl: string;
  publicWebhookUrl?: string | null;
}
