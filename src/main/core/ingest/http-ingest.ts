import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventNameSchema } from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Emit } from '../ports';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature';

/** Largest accepted event body, bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface IngestServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  secret: string;
  emit: Emit;
  /** Whether any active mapping listens for this event name. */
  hasMappings(event: string): boolean;
  clock: Clock;
  logger: Logger;
  /**
   * POST /approvals: an n8n workflow registers its waiting execution (body format in the README
   * and in approvals/wait-registration.ts). Throws AppError VALIDATION on a bad body. Absent: 404.
   */
  registerWaiting?(input: unknown): { approval: { id: number; status: string }; created: boolean };
}

type Reply = { status: number; body: Record<string, unknown> };
const refuse = (status: number, code: string, message: string): Reply => ({
  status,
  body: { ok: false, error: { code, message } },
});

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve('too-large');
        req.resume();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Reads a JSON body signed with the ingest secret; a Reply when it must be refused. */
async function readSignedJson(req: IncomingMessage, options: IngestServerOptions): Promise<Reply | { json: unknown }> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return refuse(415, 'VALIDATION', 'Send the payload as JSON (Content-Type: application/json).');
  }
  const body = await readBody(req);
  if (body === 'too-large') return refuse(413, 'VALIDATION', `The payload is larger than ${MAX_BODY_BYTES} bytes.`);
  const check = verifySignature(
    options.secret,
    {
      signature: req.headers[SIGNATURE_HEADER] as string | undefined,
      timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
    },
    body,
    options.clock.now(),
  );
  if (!check.ok) return refuse(401, 'UNAUTHORIZED', check.reason);
  try {
    return { json: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return refuse(400, 'VALIDATION', 'The body is not valid JSON.');
  }
}

/**
 * POST /approvals: a workflow about to wait registers with the inbox. 201 when added, 200 when
 * the same execution was registered before (a retried POST); nothing is stored on a refusal.
 */
async function handleApprovalRegistration(req: IncomingMessage, options: IngestServerOptions): Promise<Reply> {
  if (!options.registerWaiting) return refuse(404, 'NOT_FOUND', 'The approval inbox is not available here.');
  if (req.method !== 'POST') return refuse(405, 'VALIDATION', 'Use POST.');
  const read = await readSignedJson(req, options);
  if (!('json' in read)) return read;
  try {
    const { approval, created } = options.registerWaiting(read.json);
    return { status: created ? 201 : 200, body: { ok: true, id: approval.id, status: approval.status, created } };
  } catch (error) {
    if (error instanceof AppError) return refuse(error.retryable ? 503 : 400, error.code, error.message);
    options.logger.error('Approval registration failed', { error });
    return refuse(500, 'INTERNAL', 'The approval was not registered; try again.');
  }
}

/**
 * POST /events/<event> with a JSON body, signed with HMAC-SHA256. Answers 202 only once the runs
 * are durably queued: an acknowledged event is never lost. Every refusal says why and changes nothing.
 */
export async function handleIngest(req: IncomingMessage, options: IngestServerOptions): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://ingest');
  if (url.pathname === '/approvals') return handleApprovalRegistration(req, options);
  const match = /^\/events\/([^/]+)$/.exec(url.pathname);
  if (!match?.[1]) return refuse(404, 'NOT_FOUND', 'POST events to /events/<event name>.');
  if (req.method !== 'POST') return refuse(405, 'VALIDATION', 'Use POST.');
  const event = decodeURIComponent(match[1]);
  if (!eventNameSchema.safeParse(event).success) {
    return refuse(400, 'VALIDATION', 'Event names use letters, digits and . _ : - (starting with a letter or digit).');
  }
  const read = await readSignedJson(req, options);
  if (!('json' in read)) return read;
  const payload = read.json;
  if (!options.hasMappings(event)) {
    return refuse(404, 'NOT_FOUND', `No active mapping listens for "${event}": add one under Mappings.`);
  }
  const idempotencyKey = req.headers['idempotency-key'];
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length > 200)) {
    return refuse(400, 'VALIDATION', 'Idempotency-Key must be one header of at most 200 characters.');
  }
  try {
    const result = options.emit({
      event,
      payload,
      source: 'http',
      actor: 'http-ingest',
      ...(idempotencyKey ? { idempotencyKey } : {}),
    });
    return { status: 202, body: { ok: true, ...result } };
  } catch (error) {
    if (error instanceof AppError) return refuse(error.retryable ? 503 : 400, error.code, error.message);
    options.logger.error('Ingest failed', { event, error });
    return refuse(500, 'INTERNAL', 'The event was not queued; try again.');
  }
}

export async function startIngestServer(
  options: IngestServerOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handleIngest(req, options)
      .catch((): Reply => refuse(500, 'INTERNAL', 'The event was not queued; try again.'))
      .then(({ status, body }) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
