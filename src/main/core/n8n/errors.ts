import { AppError } from '../../../shared/result';

/**
 * The one place where n8n's HTTP answers and transport failures become stable error codes.
 * Messages say what happened and what to do; they never contain the API key.
 */
export function errorFromStatus(
  status: number,
  where: string,
  n8nMessage: string | undefined,
  retryAfterMs?: number,
): AppError {
  const said = n8nMessage ? ` n8n said: "${n8nMessage.slice(0, 200)}"` : '';
  if (status === 401)
    return new AppError(
      'N8N_UNAUTHORIZED',
      `n8n rejected the API key (401) at ${where}. Create a new key in n8n (Settings → n8n API) and paste it into the instance.`,
    );
  if (status === 403)
    return new AppError(
      'N8N_FORBIDDEN',
      `The API key lacks the scope (or the licence feature) needed for ${where} (403). Give the key that scope in n8n, or use another key.${said}`,
    );
  if (status === 404)
    return new AppError('N8N_NOT_FOUND', `n8n has no ${where} (404): it may have been deleted.${said}`);
  if (status === 429)
    return new AppError(
      'N8N_RATE_LIMITED',
      `n8n is rate limiting ${where} (429); try again${retryAfterMs !== undefined ? ` in ${Math.ceil(retryAfterMs / 1000)} s` : ' later'}.`,
      { retryable: true, ...(retryAfterMs !== undefined ? { details: { retryAfterMs } } : {}) },
    );
  if (status === 409) return new AppError('CONFLICT', `n8n refused ${where} as a conflict (409).${said}`);
  if (status === 400 || status === 422)
    return new AppError('VALIDATION', `n8n refused ${where} as invalid (${status}).${said}`);
  if (status >= 500)
    return new AppError(
      'N8N_UNREACHABLE',
      `n8n failed at ${where} (${status}); it may be restarting or overloaded. Flightdeck will try again.${said}`,
      { retryable: true },
    );
  return new AppError('N8N_BAD_RESPONSE', `n8n answered ${where} with an unexpected ${status}.${said}`);
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** The error code of a Node/undici error, looking through `cause` chains. */
function codeOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A failure below HTTP (DNS, refused, TLS, timeout, reset) → N8N_UNREACHABLE with a plain reason. */
export function errorFromTransport(error: unknown, baseUrl: string, where: string): AppError {
  if (error instanceof AppError) return error;
  const code = codeOf(error) ?? (error instanceof Error && error.name === 'TimeoutError' ? 'ETIMEDOUT' : undefined);
  let reason: string;
  if (code === 'ECONNREFUSED') reason = `nothing is listening at ${baseUrl}: is n8n running, and is the port right?`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    reason = `the host name of ${baseUrl} does not resolve: check the address.`;
  else if (code && TIMEOUT_CODES.has(code))
    reason = `${baseUrl} did not answer in time (${code}): n8n may be overloaded or the network slow.`;
  else if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')))
    reason = `the TLS connection to ${baseUrl} failed (${code}): check the certificate, or use http:// if n8n serves plain HTTP.`;
  else if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED')
    reason = `the connection to ${baseUrl} dropped (${code}).`;
  else
    reason = `${baseUrl} could not be reached (${code ?? (error instanceof Error ? error.message : 'unknown error')}).`;
  return new AppError('N8N_UNREACHABLE', `Cannot reach n8n for ${where}: ${reason}`, {
    retryable: true,
    ...(code ? { details: { cause: code } } : {}),
  });
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
