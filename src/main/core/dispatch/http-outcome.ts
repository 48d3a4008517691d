/**
 * How a webhook call's outcome maps to the queue's retry decision, with reasons an operator
 * understands. 4xx other than 408/429 cannot succeed by retrying; everything else may.
 */
import { isUnrecoverableStatus } from '../queue/backoff';

export interface DeliveryFailure {
  message: string;
  unrecoverable: boolean;
  retryAfterMs?: number;
  httpStatus?: number;
}

/** Words for an answer; whether retrying can help is the queue's rule (isUnrecoverableStatus). */
function responseMessage(status: number, url: string, retryAfter: number | undefined): string {
  if (status === 429)
    return `n8n is rate limiting (429)${retryAfter !== undefined ? `; retrying after ${Math.ceil(retryAfter / 1000)} s` : ''}.`;
  if (status === 408) return 'n8n timed out reading the request (408); retrying.';
  if (status === 404)
    return `n8n has no active webhook at ${url} (404): activate the workflow, or fix the mapping's webhook path.`;
  if (status === 401 || status === 403)
    return `n8n refused the webhook call (${status}): check the Webhook node's authentication.`;
  if (isUnrecoverableStatus(status))
    return `n8n rejected the request (${status}); retrying cannot help: check the payload and the workflow.`;
  return `n8n answered ${status}: the workflow or n8n failed; retrying.`;
}

export function classifyResponse(status: number, url: string, retryAfter: number | undefined): DeliveryFailure | null {
  if (status >= 200 && status < 300) return null;
  return {
    message: responseMessage(status, url, retryAfter),
    unrecoverable: isUnrecoverableStatus(status),
    httpStatus: status,
    ...(status === 429 && retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  };
}

export function classifyNetworkError(error: unknown, url: string, timeoutMs: number): DeliveryFailure {
  const code = (error as { code?: string }).code ?? (error as Error).name;
  if (
    code === 'AbortError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'TimeoutError'
  ) {
    return {
      message: `No answer from ${url} within ${Math.round(timeoutMs / 1000)} s; retrying.`,
      unrecoverable: false,
    };
  }
  return { message: `Cannot reach n8n at ${url} (${code}): is the instance running? Retrying.`, unrecoverable: false };
}
