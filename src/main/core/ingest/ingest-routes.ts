import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventNameSchema } from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import { jsonTextDepth, type InputLimits } from '../limits';
import { answer, isRefusal, refusalBody, type AckSigner, type Refusal } from './door-replies';
import type { IngestServerOptions } from './http-ingest';
import {
  challengeProof,
  checkSignatureHeaders,
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_SKEW_MS,
  NONCE_PATTERN,
  SIGNATURE_HEADER,
  signAck,
  TIMESTAMP_HEADER,
  verifySignature,
} from './signature';

const EVENT_ROUTE = '/events/:event';
const APPROVALS_ROUTE = '/approvals';
/** The one route that needs no signature: it is how a caller checks it reached this console. */
const CHALLENGE_ROUTE = '/challenge';
const CHALLENGE_BODY_LIMIT = 1024;

const header = (req: FastifyRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const isJsonType = (value: string | undefined) =>
  (value ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';

/**
 * Everything that can be refused from the request line and headers alone, in the order a sender
 * would fix it. Runs before a single body byte is read.
 */
export function screenHeaders(req: FastifyRequest, options: IngestServerOptions, limits: InputLimits): Refusal | null {
  const route = req.is404 ? undefined : req.routeOptions.url;
  if (route === undefined) {
    const path = req.url.split('?')[0] ?? '';
    const known =
      /^\/events\/[^/]+$/.test(path) ||
      path === CHALLENGE_ROUTE ||
      (path === APPROVALS_ROUTE && options.registerWaiting !== undefined);
    return known
      ? { status: 405, code: 'VALIDATION', message: 'Use POST.' }
      : { status: 404, code: 'NOT_FOUND', message: 'Not here: POST events to /events/<event name>.' };
  }
  if (route !== CHALLENGE_ROUTE) {
    const check = checkSignatureHeaders(
      { signature: header(req, SIGNATURE_HEADER), timestamp: header(req, TIMESTAMP_HEADER) },
      options.clock.now(),
    );
    if (!check.ok) return { status: 401, code: 'UNAUTHORIZED', message: check.reason };
  }
  if (!isJsonType(header(req, 'content-type'))) {
    return { status: 415, code: 'VALIDATION', message: 'Send the payload as JSON (Content-Type: application/json).' };
  }
  const limit = route === CHALLENGE_ROUTE ? CHALLENGE_BODY_LIMIT : limits.maxPayloadBytes;
  if (Number(header(req, 'content-length') ?? 0) > limit) {
    return { status: 413, code: 'VALIDATION', message: `The payload is larger than ${limit} bytes.` };
  }
  if (route === EVENT_ROUTE) {
    const { event } = req.params as { event: string };
    if (!eventNameSchema.safeParse(event).success) {
      return {
        status: 400,
        code: 'VALIDATION',
        message: 'Event names use letters, digits and . _ : - (starting with a letter or digit).',
      };
    }
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key))) {
      return {
        status: 400,
        code: 'VALIDATION',
        message: 'Idempotency-Key must be one header of 1 to 200 visible ASCII characters (no spaces).',
      };
    }
  }
  return null;
}

/** Raw bytes → JSON value: valid UTF-8, no deeper than the limit (checked before parsing), valid JSON. */
export function parseJsonBody(body: unknown, limits: InputLimits): { value: unknown } | Refusal {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { status: 400, code: 'VALIDATION', message: 'The body is not valid UTF-8.' };
  }
  if (jsonTextDepth(text) > limits.maxDepth) {
    return { status: 400, code: 'VALIDATION', message: `The payload nests deeper than ${limits.maxDepth} levels.` };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { status: 400, code: 'VALIDATION', message: 'The body is not valid JSON.' };
  }
}

/** What a core error means for the sender; anything else is unforeseen and goes to the 500 guard. */
function refusalOf(error: AppError): Refusal {
  if (error.retryable) return { status: 503, code: error.code, message: error.message };
  const status = { NOT_FOUND: 404, CONFLICT: 409, UNAUTHORIZED: 401 }[error.code as string] ?? 400;
  return { status, code: error.code, message: error.message };
}

interface Verified {
  signature: string;
  timestampMs: number;
  idempotencyKey?: string;
  value: unknown;
  /** Answers with the console's acknowledgement header. */
  reply(status: number, body: Record<string, unknown>): FastifyReply;
}

/**
 * Checks the signature over the raw body, then parses it. Refusals before the signature holds are
 * plain; from then on every answer carries the console's acknowledgement.
 */
function readSigned(
  req: FastifyRequest,
  reply: FastifyReply,
  options: IngestServerOptions,
  limits: InputLimits,
  withKey: boolean,
): Verified | null {
  const signature = header(req, SIGNATURE_HEADER) ?? '';
  const idempotencyKey = withKey ? header(req, IDEMPOTENCY_HEADER) : undefined;
  const check = verifySignature(
    options.secret,
    { signature, timestamp: header(req, TIMESTAMP_HEADER), idempotencyKey },
    Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    options.clock.now(),
  );
  if (!check.ok) {
    void answer(reply, 401, refusalBody({ status: 401, code: 'UNAUTHORIZED', message: check.reason }));
    return null;
  }
  const ack: AckSigner = (status, text) => signAck(options.secret, signature, status, text);
  const signedReply = (status: number, body: Record<string, unknown>) => answer(reply, status, body, ack);
  const parsed = parseJsonBody(req.body, limits);
  if (isRefusal(parsed)) {
    void signedReply(parsed.status, refusalBody(parsed));
    return null;
  }
  return {
    signature,
    timestampMs: Number(header(req, TIMESTAMP_HEADER)),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    value: parsed.value,
    reply: signedReply,
  };
}

/**
 * Runs `work` once per signature (see ReplayLedger), in the door's group commit when it has one,
 * and settles after the commit; a replay or a core refusal is answered here.
 */
async function acceptOnce<T>(
  options: IngestServerOptions,
  signed: Verified,
  work: () => T,
): Promise<{ value: T } | null> {
  try {
    const accept = () => options.replay.acceptOnce(signed.signature, signed.timestampMs + MAX_SKEW_MS, work);
    const outcome = options.commit ? await options.commit(accept) : accept();
    if (outcome.accepted) return { value: outcome.value };
    void signed.reply(
      409,
      refusalBody({
        status: 409,
        code: 'CONFLICT',
        message:
          'This signed request was accepted before; a replay is refused. Sign each request anew with the current ' +
          'timestamp (to resend an event safely, give it an Idempotency-Key).',
      }),
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const refusal = refusalOf(error);
    void signed.reply(refusal.status, refusalBody(refusal));
  }
  return null;
}

export function registerIngestRoutes(app: FastifyInstance, options: IngestServerOptions, limits: InputLimits): void {
  /**
   * POST /events/<event> with a JSON body, signed with HMAC-SHA256. Answers 202 only once the runs
   * are durably queued: an acknowledged event is never lost. Every refusal says why and changes nothing.
   */
  app.post(EVENT_ROUTE, async (req, reply) => {
    const { event } = req.params as { event: string };
    const signed = readSigned(req, reply, options, limits, true);
    if (!signed) return reply;
    if (!options.hasMappings(event)) {
      const refusal: Refusal = {
        status: 404,
        code: 'NOT_FOUND',
        message: `No active mapping listens for "${event}": add one under Mappings.`,
      };
      return signed.reply(404, refusalBody(refusal));
    }
    const done = await acceptOnce(options, signed, () =>
      options.emit({
        event,
        payload: signed.value,
        source: 'http',
        actor: 'http-ingest',
        ...(signed.idempotencyKey ? { idempotencyKey: signed.idempotencyKey } : {}),
      }),
    );
    return done ? signed.reply(202, { ok: true, ...done.value }) : reply;
  });

  /**
   * POST /approvals: a workflow about to wait registers with the inbox. 201 when added, 200 when
   * the same execution was registered before (a retried POST); nothing is stored on a refusal.
   */
  const registerWaiting = options.registerWaiting;
  if (registerWaiting) {
    app.post(APPROVALS_ROUTE, async (req, reply) => {
      const signed = readSigned(req, reply, options, limits, false);
      if (!signed) return reply;
      const done = await acceptOnce(options, signed, () => registerWaiting(signed.value));
      if (!done) return reply;
      const { approval, created } = done.value;
      return signed.reply(created ? 201 : 200, { ok: true, id: approval.id, status: approval.status, created });
    });
  }

  /**
   * POST /challenge {"nonce": "<16–128 of A-Z a-z 0-9 _ ->"} → {"ok":true,"proof":"sha256=<hex>"},
   * the HMAC of `challenge.<nonce>` with the ingest secret. Needs no signature: the caller checks
   * the proof to know it reached this console (the CLI does, before it sends an event).
   */
  app.post(CHALLENGE_ROUTE, { bodyLimit: CHALLENGE_BODY_LIMIT }, async (req, reply) => {
    const parsed = parseJsonBody(req.body, limits);
    const nonce = isRefusal(parsed) ? undefined : (parsed.value as { nonce?: unknown } | null)?.nonce;
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) {
      return answer(
        reply,
        400,
        refusalBody({
          status: 400,
          code: 'VALIDATION',
          message: 'Send {"nonce": "<16 to 128 characters of A-Z a-z 0-9 _ ->"} as JSON.',
        }),
      );
    }
    return answer(reply, 200, { ok: true, proof: challengeProof(options.secret, nonce) });
  });
}
