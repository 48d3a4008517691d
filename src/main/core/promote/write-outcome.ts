import { AppError } from '../../../shared/result';

/** Transport failures that prove the request never reached n8n (nothing can have been written). */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Whether a failed write to n8n may still have been applied: a timeout, a dropped connection, a
 * 5xx (a proxy's 504 after n8n saved), or an answer not understood. A refusal (4xx) or a
 * connection never made means nothing was written. Promotion and snapshot restore both record
 * such a write as possibly made, so it can be checked and undone.
 */
export function outcomeUnknown(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  if (error.code === 'N8N_BAD_RESPONSE') return true;
  if (error.code !== 'N8N_UNREACHABLE') return false;
  const cause = (error.details as { cause?: unknown } | undefined)?.cause;
  return !(typeof cause === 'string' && NEVER_SENT.has(cause));
}
