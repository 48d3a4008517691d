/**
 * What a webhook call's outcome means, in classes an operator can act on:
 *
 * - `unreachable`: the call never reached an n8n that takes webhooks (connection refused, DNS,
 *   TLS, connect timeout, a broken connection, n8n still starting up). The run waits for the
 *   instance without spending an attempt; the instance is held until n8n answers again.
 * - `no_answer`: the request was sent but nothing came back in time. n8n may have run it: the run
 *   is checked in n8n before it is sent again, and the attempt is not spent.
 * - `not_taken`: n8n (or its proxy) answered but did not take the call: 408, 429, 502/503/504, or
 *   a 404 while the workflow was just published. Retried with backoff; the attempt counts (n8n
 *   2.x's 500 "There was a problem executing the workflow" as it comes back: not counted at first,
 *   see `aroundRestart`).
 * - `workflow_failed`: n8n ran the workflow and it failed (n8n's 500 "Error in workflow"). Not run
 *   again unless the mapping opts in: re-running repeats whatever ran before the error.
 * - `cannot_succeed`: other 4xx, a missing webhook. Dead-lettered at once.
 *
 * Messages say what happened, never what happens next: the dispatcher adds that ("retrying …",
 * "gave up after …") once it knows, so a final attempt never says "retrying".
 */

export type DeliveryClass = 'unreachable' | 'no_answer' | 'not_taken' | 'workflow_failed' | 'cannot_succeed';

export interface DeliveryFailure {
  kind: DeliveryClass;
  /** What happened, in words an operator understands. */
  message: string;
  httpStatus?: number;
  /** n8n asked to wait this long (429 Retry-After), ms. */
  retryAfterMs?: number;
  /** The request may have reached n8n: look for its execution before sending it again. */
  uncertain?: boolean;
  /** Short reason for the instance's hold (unreachable only), e.g. "connection refused (ECONNREFUSED)". */
  holdReason?: string;
  /**
   * An answer n8n gives while it starts or stops, before the workflow runs: held like
   * `unreachable` (no attempt spent) when n8n came back moments ago, else retried and counted,
   * so a lasting fault still ends.
   */
  aroundRestart?: boolean;
}

const STARTING_TEXT = 'n8n is starting up';

/**
 * Why an answer shows n8n still starting (its webhooks not served yet), or null. Observed on
 * 1.123.81 and 2.41.1: `200 text/html "n8n is starting up. Please wait"`, then `404 text/html
 * "Cannot POST /webhook/…"` until the routes exist, then (2.x) `503 "Database is not ready!"`.
 */
export function startingUpReason(status: number, contentType: string, body: string): string | null {
  const json = contentType.includes('json');
  if (!json && body.includes(STARTING_TEXT)) return 'n8n is starting up';
  if (status === 404 && !json && /Cannot (POST|GET|OPTIONS|HEAD)/.test(body))
    return 'n8n is starting up (its webhooks are not served yet)';
  if (status === 503 && body.includes('Database is not ready')) return 'n8n is starting up (its database is not ready)';
  return null;
}

/** n8n's own message in a JSON error answer (`{"message": "…"}`), shortened; null when none. */
function n8nMessage(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message.slice(0, 300) : null;
  } catch {
    return null;
  }
}

export interface AnswerFacts {
  status: number;
  contentType: string;
  body: string;
  url: string;
  /** 429's Retry-After, ms. */
  retryAfterMs?: number;
  /** Why a 404 is worth retrying (the workflow went live a moment ago, or n8n reports it active); null: final. */
  webhookGrace?: string | null;
}

/** The failure an answer means, or null when n8n took the call. */
export function classifyResponse(answer: AnswerFacts): DeliveryFailure | null {
  const { status, body, url } = answer;
  const starting = startingUpReason(status, answer.contentType, body);
  if (starting) return { kind: 'unreachable', message: `${url}: ${starting}.`, holdReason: starting };
  if (status >= 200 && status < 300) return null;
  const said = n8nMessage(body);
  const quoted = said ? `: "${said}"` : '';
  if (status === 404 && answer.webhookGrace)
    return { kind: 'not_taken', httpStatus: status, message: `n8n answered 404 at ${url}. ${answer.webhookGrace}` };
  if (status === 404)
    return {
      kind: 'cannot_succeed',
      httpStatus: status,
      message: `n8n has no active webhook at ${url} (404)${quoted}: activate the workflow, or fix the mapping's webhook path.`,
    };
  if (status === 401 || status === 403)
    return {
      kind: 'cannot_succeed',
      httpStatus: status,
      message: `n8n refused the webhook call (${status})${quoted}: check the Webhook node's authentication.`,
    };
  if (status === 429)
    return {
      kind: 'not_taken',
      httpStatus: status,
      message: `n8n is rate limiting (429)${answer.retryAfterMs !== undefined ? `, asking to wait ${Math.ceil(answer.retryAfterMs / 1000)} s` : ''}.`,
      ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}),
    };
  if (status === 408)
    return { kind: 'not_taken', httpStatus: status, message: 'n8n timed out reading the request (408).' };
  if (status >= 400 && status < 500)
    return {
      kind: 'cannot_succeed',
      httpStatus: status,
      message: `n8n rejected the request (${status})${quoted}; sending it again cannot help: check the payload and the workflow.`,
    };
  // n8n cuts the calls it is serving when it shuts down (observed on 1.123.81: 500
  // {"code":0,"message":"aborted"}): it may have started the run; look before sending again.
  if (status === 500 && said === 'aborted')
    return {
      kind: 'unreachable',
      uncertain: true,
      holdReason: 'n8n aborted the call (shutting down?)',
      message: `${url}: n8n aborted the call (500 "aborted"), as it does when it shuts down.`,
    };
  // n8n 2.41.1 answers this around its start and stop (observed in tests/n8n/delivery-outage: runs
  // sent as it came back): it could not run the workflow at all (the run failed to start, or was
  // cut before it ran). Not the workflow's failure, whose answer is "Error in workflow"; n8n may
  // have recorded an execution, so it is looked for before it is sent again.
  if (status === 500 && said === 'There was a problem executing the workflow')
    return {
      kind: 'not_taken',
      httpStatus: status,
      uncertain: true,
      aroundRestart: true,
      holdReason: 'n8n could not run the workflow (starting or stopping)',
      message: `n8n could not run the workflow (500 "${said}"), as it answers while it starts or stops.`,
    };
  if (status === 500 && said === 'Workflow could not be started!')
    return { kind: 'not_taken', httpStatus: status, message: `n8n could not start the workflow (500)${quoted}.` };
  if (status === 500)
    return {
      kind: 'workflow_failed',
      httpStatus: status,
      message: `The workflow ran in n8n and failed (500)${quoted}.`,
    };
  if (status === 502 || status === 503 || status === 504)
    return {
      kind: 'not_taken',
      httpStatus: status,
      // A gateway that timed out or lost n8n mid-request may have delivered the call.
      uncertain: status !== 503,
      message: `n8n (or a proxy in front of it) did not take the call (${status})${quoted}.`,
    };
  return { kind: 'not_taken', httpStatus: status, message: `n8n answered ${status}${quoted}.` };
}

const CONNECT_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
};
/** The connection broke after the request may have been sent: n8n may have run it. */
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'AbortError', 'TimeoutError']);

function codeOf(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN';
}

const isTls = (code: string) =>
  code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'EPROTO';

/** "connection refused (ECONNREFUSED)", "TLS failed (CERT_HAS_EXPIRED)"…: for holds and probes. */
export function describeNetworkError(error: unknown): string {
  const code = codeOf(error);
  if (CONNECT_FAILURES[code]) return `${CONNECT_FAILURES[code]} (${code})`;
  if (isTls(code)) return `TLS failed (${code})`;
  if (BROKEN.has(code)) return `the connection broke before n8n answered (${code})`;
  if (TIMEOUTS.has(code)) return `no answer in time (${code})`;
  return `${(error as Error)?.message || 'network error'} (${code})`;
}

/**
 * `aborted`: the attempt's own signal fired (the mapping's timeout, a lost lease, a shutdown): the
 * request may be in n8n's hands whatever error the abort surfaced as.
 */
export function classifyNetworkError(error: unknown, url: string, timeoutMs: number, aborted = false): DeliveryFailure {
  const code = codeOf(error);
  if (aborted || TIMEOUTS.has(code))
    return {
      kind: 'no_answer',
      uncertain: true,
      message: `No answer from ${url} within ${Math.round(timeoutMs / 1000)} s (${code}); n8n may have run it.`,
    };
  const reason = describeNetworkError(error);
  return {
    kind: 'unreachable',
    uncertain: BROKEN.has(code),
    holdReason: reason,
    message: `Cannot reach n8n at ${url}: ${reason}.`,
  };
}
