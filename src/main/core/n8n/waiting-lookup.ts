import { AppError } from '../../../shared/result';
import type { N8nClient } from './client';

/**
 * What n8n says about an execution Flightdeck is about to resume:
 * - `unsigned`: this n8n (1.x) resumes /webhook-waiting/<id> without a signature;
 * - `waiting`: still waiting; `resumeToken` is the `?signature=` n8n 2.x expects (null if none);
 * - `running`: running, not waiting (yet): its wait is not saved, a resume must wait too;
 * - `closed`: no longer waiting (resumed, finished, stopped): nothing to resume;
 * - `gone`: n8n has no such execution (deleted or pruned).
 */
export type WaitingLookupResult =
  | { kind: 'unsigned' }
  | { kind: 'waiting'; resumeToken: string | null }
  | { kind: 'running' }
  | { kind: 'closed'; status: string | null }
  | { kind: 'gone' };

export type WaitingLookup = (
  instanceId: string,
  executionId: string,
  options?: {
    /** Ask n8n even where the line is 1.x or unknown (after a 401, which only 2.x answers). */
    always?: boolean;
  },
) => Promise<WaitingLookupResult>;

/**
 * Looks a waiting execution up through the instance's API client (GET /executions/{id}
 * ?includeData=true, which carries `data.resumeToken` on 2.x). On 1.x it asks n8n nothing
 * unless told to.
 * Rejects when n8n cannot be reached, so the caller keeps the resume owed.
 */
export function createWaitingLookup(clientFor: (instanceId: string) => N8nClient): WaitingLookup {
  return async (instanceId, executionId, options = {}) => {
    const client = clientFor(instanceId);
    if (!options.always && (await client.line()) === 1) return { kind: 'unsigned' };
    try {
      const { status, resumeToken } = await client.waitingState(executionId);
      if (status === 'waiting') return { kind: 'waiting', resumeToken };
      if (status === 'running' || status === 'new') return { kind: 'running' };
      return { kind: 'closed', status };
    } catch (error) {
      if (error instanceof AppError && error.code === 'N8N_NOT_FOUND') return { kind: 'gone' };
      throw error;
    }
  };
}
