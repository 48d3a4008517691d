/**
 * How a webhook call's outcome maps to the queue's retry decision, with reasons an operator
 * understands. 4xx other than 408/429 cannot succeed by retrying; everything else may.
 */
export interface DeliveryFailure {
  message: string;
  unrecoverable: boolean;
  retryAfterMs?: number;
  httpStatus?: number;
}

export function classifyResponse(status: number, url: string, retryAfter: number | undefined): DeliveryFailure | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) {
    return {
      message: `n8n is rate limiting (429)${retryAfter !== undefined ? `; retrying after ${Math.ceil(retryAfter / 1000)} s` : ''}.`,
      unrecoverable: false,
      httpStatus: status,
      ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
    };
  }
  if (status === 408)
    return { message: 'n8n timed out reading the request (408); retrying.', unrecoverable: false, httpStatus: status };
  if (status === 404) {
    return {
      message: `n8n has no active webhook at ${url} (404): activate the workflow, or fix the mapping's webhook path.`,
      unrecoverable: true,
      httpStatus: status,
    };
  }
  if (status === 401 || status === 403) {
    return {
      message: `n8n refused the webhook call (${status}): check the Webhook node's authentication.`,
      unrecoverable: true,
      httpStatus: status,
    };
  }
  if (status >= 400 && status < 500) {
    return {
      message: `n8n rejected the request (${status}); retrying cannot help: check the payload and the workflow.`,
      unrecoverable: true,
      httpStatus: status,
    };
  }
  return {
    message: `n8n answered ${status}: the workflow or n8n failed; retrying.`,
    unrecoverable: false,
    httpStatus: status,
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
