/**
 * How `flightdeck emit` reaches the console: find it through `<data dir>/ingest.json`, make it
 * prove it holds the ingest secret (POST /challenge), send the signed event, and accept the
 * answer only with the console's signed acknowledgement. Whatever else may listen on a port the
 * console once used never sees the payload, and cannot fake an acceptance.
 */
import { randomBytes } from 'node:crypto';
import { ingestInfoFile, processAlive, readIngestInfo, type IngestInfo } from '../core/ingest/ingest-info';
import { ingestSecretPath, MalformedIngestSecretError, readIngestSecret } from '../core/ingest/ingest-secret';
import {
  ACK_HEADER,
  challengeProof,
  IDEMPOTENCY_HEADER,
  sameText,
  sign,
  signAck,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from '../core/ingest/signature';

/** Exit codes of `flightdeck emit` (documented in its usage text and the README). */
export const EXIT = {
  queued: 0,
  refused: 1,
  usage: 2,
  noConsole: 3,
  notThisConsole: 4,
  timeout: 5,
} as const;

export type EmitOutcome =
  | { kind: 'queued'; answer: Record<string, unknown> }
  | { kind: 'refused' | 'noConsole' | 'notThisConsole' | 'timeout'; message: string };

export interface EmitToConsoleOptions {
  dataDir: string;
  event: string;
  /** The raw JSON text to send (signed exactly as given). */
  body: string;
  idempotencyKey?: string;
  /** Per request (the challenge, then the event), ms. */
  timeoutMs: number;
}

/** Answers from a stranger are read no further than this: the CLI must not fill its memory. */
const MAX_ANSWER_BYTES = 1024 * 1024;

class Timeout extends Error {}
class Unreachable extends Error {
  constructor(readonly code: string | undefined) {
    super(code ?? 'unreachable');
  }
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** One HTTP request with a deadline covering the answer's body too; a redirect is an answer, not followed. */
async function request(url: string, init: RequestInit, timeoutMs: number): Promise<Answer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { ...init, signal, redirect: 'manual' });
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const part = reader ? await reader.read() : { done: true as const, value: undefined };
      if (part.done) break;
      size += part.value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader?.cancel();
        throw new Unreachable('ANSWER_TOO_LARGE');
      }
      chunks.push(part.value);
    }
    return { status: res.status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (signal.aborted) throw new Timeout();
    if (error instanceof Unreachable) throw error;
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new Unreachable(cause?.code);
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function describe(info: IngestInfo): string {
  return `pid ${info.pid}, started ${new Date(info.startedAtMs).toISOString()}`;
}

/** Finds the console and its secret; a reason to stop when there is none to talk to. */
function locate(dataDir: string): { info: IngestInfo; secret: string } | EmitOutcome {
  const read = readIngestInfo(dataDir);
  if (!read.ok) {
    return {
      kind: 'noConsole',
      message:
        read.reason === 'missing'
          ? `No running Flightdeck console found for ${dataDir}: start it (npm start or npm run serve), or pass --data-dir.`
          : `No running Flightdeck console found for ${dataDir}: ${read.message}. Start the console (it rewrites the file).`,
    };
  }
  const { info } = read;
  if (!processAlive(info.pid)) {
    return {
      kind: 'noConsole',
      message:
        `No running Flightdeck console: ${ingestInfoFile(dataDir)} is stale, left by a console that is no ` +
        `longer running (${describe(info)}). Start the console again; nothing was sent.`,
    };
  }
  try {
    return { info, secret: readIngestSecret(dataDir) };
  } catch (error) {
    // An empty or altered file is not a key: refuse rather than sign with it.
    if (error instanceof MalformedIngestSecretError) return { kind: 'noConsole', message: error.message };
    return {
      kind: 'noConsole',
      message: `Cannot read the ingest secret ${ingestSecretPath(dataDir)}: run the CLI as the user who runs the console.`,
    };
  }
}

/** Makes whatever listens at `url` prove it holds the secret. Null when it did. */
async function challenge(info: IngestInfo, secret: string, timeoutMs: number): Promise<EmitOutcome | null> {
  const nonce = randomBytes(24).toString('base64url');
  let reply: Answer;
  try {
    reply = await request(
      `${info.url}/challenge`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nonce }) },
      timeoutMs,
    );
  } catch (error) {
    if (error instanceof Timeout) {
      return {
        kind: 'timeout',
        message: `No answer from ${info.url} within ${seconds(timeoutMs)}: the console (${describe(info)}) may be busy or hung. Nothing was sent.`,
      };
    }
    return {
      kind: 'noConsole',
      message:
        `Nothing answers at ${info.url} (${(error as Unreachable).code ?? 'unreachable'}): the console that wrote ` +
        `ingest.json (${describe(info)}) is not listening there. Start the console again; nothing was sent.`,
    };
  }
  let proof: unknown;
  try {
    proof = (JSON.parse(reply.text) as { proof?: unknown }).proof;
  } catch {
    proof = undefined;
  }
  if (reply.status === 200 && typeof proof === 'string' && sameText(proof, challengeProof(secret, nonce))) return null;
  return {
    kind: 'notThisConsole',
    message:
      `Something else answers at ${info.url}: it could not prove it holds this console's ingest secret, so the ` +
      `event was NOT sent. The console (${describe(info)}) may have stopped and another program taken its port; ` +
      `restart the console (or set FLIGHTDECK_INGEST_PORT to a free port).`,
  };
}

export async function emitToConsole(options: EmitToConsoleOptions): Promise<EmitOutcome> {
  const found = locate(options.dataDir);
  if ('kind' in found) return found;
  const { info, secret } = found;
  const refusedChallenge = await challenge(info, secret, options.timeoutMs);
  if (refusedChallenge) return refusedChallenge;

  const timestamp = Date.now();
  const signature = sign(secret, timestamp, options.body, options.idempotencyKey);
  let reply: Answer;
  try {
    reply = await request(
      `${info.url}/events/${encodeURIComponent(options.event)}`,
      {
        method: 'POST',
        body: options.body,
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signature,
          [TIMESTAMP_HEADER]: String(timestamp),
          ...(options.idempotencyKey === undefined ? {} : { [IDEMPOTENCY_HEADER]: options.idempotencyKey }),
        },
      },
      options.timeoutMs,
    );
  } catch (error) {
    const retry = options.idempotencyKey
      ? 'Sending it again with the same --idempotency-key is safe.'
      : 'Give it an --idempotency-key to resend safely.';
    return error instanceof Timeout
      ? {
          kind: 'timeout',
          message: `No answer from ${info.url} within ${seconds(options.timeoutMs)}: the event may or may not be queued. ${retry}`,
        }
      : {
          kind: 'noConsole',
          message: `The console at ${info.url} stopped answering: the event may or may not be queued. ${retry}`,
        };
  }

  let body: { ok?: unknown; error?: { message?: unknown } } & Record<string, unknown> = {};
  try {
    body = JSON.parse(reply.text) as typeof body;
  } catch {
    // An answer that is not JSON is judged by its status and acknowledgement below.
  }
  const ack = reply.headers.get(ACK_HEADER);
  const acknowledged = ack !== null && sameText(ack, signAck(secret, signature, reply.status, reply.text));
  if (reply.status >= 200 && reply.status < 300) {
    if (acknowledged && body.ok === true) return { kind: 'queued', answer: body };
    return {
      kind: 'notThisConsole',
      message:
        `The answer from ${info.url} (${reply.status}) is not signed by this console, so it proves nothing: ` +
        `the event may not be queued.`,
    };
  }
  // A refusal changes nothing, so an unsigned one (refused before the body was read) is reported as is.
  const reason = typeof body.error?.message === 'string' ? body.error.message : reply.text.slice(0, 300);
  return { kind: 'refused', message: `Refused (${reply.status}): ${reason || 'no reason given'}` };
}
