import { AppError } from '../../../shared/result';
import type { Store } from '../db/store';
import type { ApprovalPorts } from './ports';

/**
 * Stand-ins until the integrator wires the queue, the n8n client and the instances registry.
 * Gates work on the shared executions table alone: approve marks the run 'queued' (the queue
 * replaces this with a real enqueue), reject marks it 'rejected'. Resumes fail as unreachable,
 * so decisions on waits stay owed ('resuming') and are delivered once a client is wired.
 */
export function executionsTablePorts(store: Store, now: () => number): ApprovalPorts {
  const setStatus = store.db.prepare(
    "UPDATE executions SET status = ?, error = ?, updated_at_ms = ? WHERE id = ? AND status = 'awaiting_approval'",
  );
  return {
    releaseGate: (executionId) => void setStatus.run('queued', null, now(), executionId),
    rejectGate: (executionId, reason) => void setStatus.run('rejected', reason, now(), executionId),
    resumeExecution: () =>
      Promise.reject(new AppError('N8N_UNREACHABLE', 'No n8n client is connected yet.', { retryable: true })),
    waitingExecutions: () => [],
    findInstance: () => null,
  };
}
