/**
 * Talking to the console's ingest door from inside n8n: signed requests through n8n's own HTTP
 * helper, every answer checked against the console's acknowledgement.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';
import { ACK_HEADER, ackHolds, challengeProof, newNonce, sameText, signedHeaders, SIGNATURE_HEADER } from './protocol';

/** The credential's fields (see FlightdeckApi.credentials.ts). */
export interface ConsoleCredentials {
  /** The console's ingest address, e.g. http://127.0.0.1:4681. */
  url: string;
  /** The ingest secret (the one line of <data dir>/keys/ingest.secret). */
  secret: string;
  /** This n8n's id in Flightdeck (Instances), when set. */
  instanceId?: string;
}

/** A refusal or a failure to reach the console, worded for the workflow author. */
export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly httpStatus?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

/** The credential as typed fields; a clear error when it is incomplete. */
export function consoleCredentials(credential: object | undefined): ConsoleCredentials {
  const data = credential as ICredentialDataDecryptedObject | undefined;
  const url = typeof data?.url === 'string' ? data.url.trim() : '';
  const secret = typeof data?.secret === 'string' ? data.secret.trim() : '';
  const instanceId = typeof data?.instanceId === 'string' ? data.instanceId.trim() : '';
  if (!url) throw new ConsoleError('The Flightdeck API credential has no console address.');
  if (!secret) throw new ConsoleError('The Flightdeck API credential has no ingest secret.');
  return { url, secret, ...(instanceId ? { instanceId } : {}) };
}

/** `<console address>/<path>`, keeping a path prefix; only http and https. */
export function consoleUrl(base: string, path: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ConsoleError(`The console address "${base}" is not a URL (e.g. http://127.0.0.1:4681).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConsoleError(`The console address must start with http:// or https:// (got ${url.protocol}).`);
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** What the console answered, after its acknowledgement was checked. */
export interface ConsoleAnswer {
  status: number;
  /** The parsed JSON body (the console always answers JSON). */
  json: Record<string, unknown>;
}

type HttpRequest = (options: IHttpRequestOptions) => Promise<unknown>;

interface FullResponse {
  body: unknown;
  headers: Record<string, unknown>;
  statusCode: number;
}

/** The console's error message from `{ok:false, error:{code, message}}`, or a fallback. */
function refusalOf(json: Record<string, unknown>): { code?: string; message?: string } {
  const error = json.error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as Record<string, unknown>;
  return {
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/**
 * POSTs `bodyText` (exactly these bytes are signed) to the console, and returns its answer only
 * when the console's acknowledgement holds: the answer came from the console that holds this
 * secret. A 2xx is returned; anything else becomes a ConsoleError with the console's reason.
 */
export async function postSigned(
  httpRequest: HttpRequest,
  credentials: ConsoleCredentials,
  path: string,
  bodyText: string,
  idempotencyKey?: string,
): Promise<ConsoleAnswer> {
  const url = consoleUrl(credentials.url, path);
  const headers = signedHeaders(credentials.secret, Date.now(), bodyText, idempotencyKey);
  let response: FullResponse;
  try {
    response = (await httpRequest({
      method: 'POST',
      url,
      headers,
      body: bodyText,
      // Raw bytes: the acknowledgement signs the exact text of the answer.
      encoding: 'arraybuffer',
      returnFullResponse: true,
      ignoreHttpStatusErrors: true,
      disableFollowRedirect: true,
      timeout: REQUEST_TIMEOUT_MS,
    })) as FullResponse;
  } catch (error) {
    throw new ConsoleError(
      `Could not reach the Flightdeck console at ${url}: ${(error as Error).message}. Is the console running, ` +
        "and is this its ingest address (the console's Settings → Event ingest; default http://127.0.0.1:4681)?",
    );
  }
  const status = response.statusCode;
  const raw = response.body;
  const text = Buffer.isBuffer(raw)
    ? raw.toString('utf8')
    : raw instanceof ArrayBuffer
      ? Buffer.from(raw).toString('utf8')
      : typeof raw === 'string'
        ? raw
        : JSON.stringify(raw ?? '');
  const ackValue = response.headers[ACK_HEADER];
  const ack = typeof ackValue === 'string' ? ackValue : undefined;
  if (!ackHolds(credentials.secret, headers[SIGNATURE_HEADER] ?? '', status, text, ack)) {
    if (status === 401 && ack === undefined) {
      throw new ConsoleError(
        'The Flightdeck console refused the signature: the secret in the credential is not its ingest secret, ' +
          "or this machine's clock is more than 5 minutes off.",
        401,
        'UNAUTHORIZED',
      );
    }
    throw new ConsoleError(
      `Something answered at ${url} (HTTP ${status}) without the Flightdeck console's acknowledgement: it is not ` +
        'the console that holds this secret. Check the address and the secret in the credential.',
      status,
    );
  }
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      json = parsed as Record<string, unknown>;
  } catch {
    // An acknowledged answer is always JSON; an empty object keeps the status meaningful.
  }
  if (status < 200 || status >= 300) {
    const refusal = refusalOf(json);
    throw new ConsoleError(
      `The Flightdeck console refused the request (HTTP ${status}): ${refusal.message ?? text.slice(0, 300)}`,
      status,
      refusal.code,
    );
  }
  return { status, json };
}

/**
 * Proves the console at the credential's address holds its secret: `POST /challenge {nonce}` with
 * a fresh nonce must come back with HMAC(secret, "challenge.<nonce>"), which only that console
 * can compute. Throws a ConsoleError saying what is wrong otherwise.
 */
export async function proveConsole(credentials: ConsoleCredentials): Promise<void> {
  const url = consoleUrl(credentials.url, 'challenge');
  const nonce = newNonce();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonce }),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new ConsoleError(`No Flightdeck console answered at ${url} (${cause ?? (error as Error).message}).`);
  }
  let proof: unknown;
  try {
    proof = ((await res.json()) as Record<string, unknown> | null)?.proof;
  } catch {
    proof = undefined;
  }
  if (typeof proof !== 'string') {
    throw new ConsoleError(`Something answered at ${url} (HTTP ${res.status}), but not like the Flightdeck console.`);
  }
  if (!sameText(proof, challengeProof(credentials.secret, nonce))) {
    throw new ConsoleError(
      'The Flightdeck console answered, but it holds another secret: copy its ingest secret into the credential again.',
    );
  }
}
