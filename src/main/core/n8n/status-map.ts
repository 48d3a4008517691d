import type { ExecutionStatus } from '../../../shared/contract';
import type { N8nExecution } from './schemas';

/** n8n's execution statuses onto Flightdeck's one vocabulary (see executions-model.ts). */
export function mapN8nStatus(execution: Pick<N8nExecution, 'status' | 'stoppedAt' | 'finished'>): ExecutionStatus {
  switch (execution.status) {
    case 'new':
    case 'running':
      return 'running';
    case 'waiting':
      return 'waiting';
    case 'success':
      return 'succeeded';
    case 'error':
    case 'crashed':
      return 'failed';
    case 'canceled':
      return 'canceled';
    default:
      // Older n8n without `status`, or a status added later: infer from what it does say.
      if (execution.finished) return 'succeeded';
      return execution.stoppedAt ? 'failed' : 'running';
  }
}

/** Statuses that a later sync may still change. */
export const OPEN_STATUSES: readonly ExecutionStatus[] = ['running', 'waiting'];
