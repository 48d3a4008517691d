/**
 * How the drafts area words a failed action: what failed, the core's reason, and what to do next.
 * Pure (no transport), so it is unit-tested on its own.
 */
import { AppError, type ErrorCode } from '../../../shared/result';

const NEXT: Partial<Record<ErrorCode, string>> = {
  VALIDATION: 'Fix what it names, then try again.',
  NOT_FOUND: 'It is gone (deleted meanwhile?): go back to the drafts list and open it again.',
  CONFLICT: 'n8n changed meanwhile: use “Update from n8n”, then try again.',
  UNAUTHORIZED: 'Sign in again, then try again.',
  FORBIDDEN: 'Your role does not allow this: ask an owner for the role it names.',
  UNAVAILABLE: 'The console lost the core: wait until it shows Connected, then try again.',
  RATE_LIMITED: 'Too many calls at once: wait a moment, then try again.',
  N8N_UNAUTHORIZED: 'n8n refused the API key: fix it on the Instances page.',
  N8N_FORBIDDEN: 'n8n refused the API key: fix it on the Instances page.',
  N8N_NOT_FOUND: 'n8n no longer has this workflow: clone it again or push the draft to create it.',
  N8N_RATE_LIMITED: 'n8n is limiting calls: wait a moment, then try again.',
  N8N_UNREACHABLE: 'n8n cannot be reached: check the instance on the Instances page, then try again.',
  N8N_BAD_RESPONSE: 'n8n answered something unexpected: check its version and logs, then try again.',
};

/** "Restoring version #3 failed: <reason>. <what to do>" */
export function failureText(what: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const next =
    (error instanceof AppError && NEXT[error.code]) || 'Try again; if it keeps failing, the core’s log says why.';
  return `${what} failed: ${reason.replace(/\.?\s*$/, '.')} ${next}`;
}
