import { AppError } from '../../../shared/result';
import type { Store } from '../db/store';
import { waitingFromN8n } from './n8n-waits';
import type { ApprovalPorts } from './ports';

/**
 * n8n's waiting executions as the inbox takes them (n8n-waits.ts). Because n8n 1.x leaves waiting
 * executions out of its list endpoint, the linker finds them by id (GET /executions/<id>) and
 * records what they wait on; only then do they show up here.
 */
export const waitingFromExecutionsTable = waitingFromN8n;

/**
 * Ports on the shared executions table alone, for tests of the approvals area without the queue
 * or n8n (the console wires dispatch/approval-ports.ts): approve marks the run 'queued', reject
 * 'rejected'; resumes fail as unreachable, so decisions on waits stay owed ('resuming').
 */
export function executionsTablePorts(store: Store, now: () => number): ApprovalPorts {
  const setStatus = store.db.prepare(
    "UPDATE executions SET status = ?, error = ?, updated_at_ms = ? WHERE id = ? AND status = 'awaiting_approval'",
  );
  const findInstance: ApprovalPorts['findInstance'] = () => null;
  return {
    releaseGate: (executionId) => void setStatus.run('queued', null, now(), executionId),
    rejectGate: (executionId, reason) => void setStatus.run('rejected', reason, now(), executionId),
    resumeExecution: () =>
      Promise.reject(new AppError('N8N_UNREACHABLE', 'No n8n client is connected yet.', { retryable: true })),
    waitingExecutions: waitingFromExecutionsTable(store, findInstance),
    findInstance,
  };
}
