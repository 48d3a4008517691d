/**
 * The signed HTTP door for events (POST /events/<event>), n8n wait registrations (POST
 * /approvals) and the challenge local tools use to recognise this console (POST /challenge).
 *
 * Built on Fastify rather than bare node:http so that URL parsing, body limits and client errors
 * are handled by a well-kept layer: a malformed path is a 400 there, not an exception here.
 * What Fastify cannot know is screened before any body byte is read (screenHeaders): unsigned
 * or stale requests, the wrong content type, a Content-Length over the limit.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock';
import { DEFAULT_LIMITS, type InputLimits } from '../limits';
import type { Logger } from '../logger';
import type { Emit } from '../ports';
import { refuseEarly as refuse, type Refusal } from './door-replies';
import { registerIngestRoutes, screenHeaders } from './ingest-routes';
import type { ReplayLedger } from './replay-ledger';

export interface IngestServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  secret: string;
  emit: Emit;
  /**
   * Runs an accepted request's writes in a group commit (db/commit-queue.ts) and resolves after
   * its commit. Default: each request in a transaction of its own.
   */
  commit?<T>(work: () => T): Promise<T>;
  /** Whether any active mapping listens for this event name. */
  hasMappings(event: string): boolean;
  /** Where accepted signatures are remembered, so each signed request is accepted once. */
  replay: ReplayLedger;
  clock: Clock;
  logger: Logger;
  /** Payload size and JSON depth; default DEFAULT_LIMITS (the same limits as every other door). */
  limits?: InputLimits;
  /** Open connections at once; further ones are closed on arrival. Default 64. */
  maxConnections?: number;
  /** Requests per second on one connection before it gets 429 answers. Default 200. */
  maxRequestsPerSecond?: number;
  /**
   * POST /approvals: an n8n workflow registers its waiting execution (body format in the README
   * and in approvals/wait-registration.ts). Throws AppError VALIDATION on a bad body. Absent: 404.
   */
  registerWaiting?(input: unknown): { approval: { id: number; status: string }; created: boolean };
}

export interface IngestServer {
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_CONNECTIONS = 64;
export const DEFAULT_MAX_REQUESTS_PER_SECOND = 200;

/** Fastify's own 4xx errors, worded for the sender. */
function frameworkRefusal(error: FastifyError, limits: InputLimits): Refusal | null {
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return null;
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return { status: 400, code: 'VALIDATION', message: 'The request path is not valid (malformed % escape).' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        code: 'VALIDATION',
        message: 'The path is too long: event names are at most 100 characters.',
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'VALIDATION',
        message: `The payload is larger than ${limits.maxPayloadBytes} bytes.`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'VALIDATION', message: 'Send the payload as JSON (Content-Type: application/json).' };
    default:
      return { status, code: status === 429 ? 'UNAVAILABLE' : 'VALIDATION', message: error.message.slice(0, 300) };
  }
}

export async function startIngestServer(options: IngestServerOptions): Promise<IngestServer> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const app = Fastify({
    logger: false,
    bodyLimit: limits.maxPayloadBytes,
    // Slow senders cannot hold a connection (and a slot under maxConnections) for long.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Percent-encoded event names (`:` is %3A) may be up to three times their 100 characters.
    routerOptions: { maxParamLength: 400 },
    // A request Node cannot parse (bad framing, huge headers) gets the same JSON envelope.
    clientErrorHandler: (error: NodeJS.ErrnoException, socket) => {
      if (error.code !== 'ECONNRESET' && socket.writable) {
        const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
        const body = JSON.stringify({
          ok: false,
          error: { code: 'VALIDATION', message: 'The request is not valid HTTP/1.1 (or its headers are too large).' },
        });
        socket.end(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
            `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
      socket.destroySoon();
    },
    frameworkErrors: (error, _req, reply) => {
      void refuse(
        reply,
        frameworkRefusal(error, limits) ?? { status: 400, code: 'VALIDATION', message: error.message.slice(0, 300) },
      );
    },
  });
  app.server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  app.server.on('error', (error) => options.logger.error('Ingest door: server error', { error }));

  // Every request gets a JSON envelope; anything unforeseen is logged and answered 500, never thrown.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const refusal = frameworkRefusal(error, limits);
    if (refusal) return refuse(reply, refusal);
    options.logger.error('Ingest door: unexpected error', { error, method: req.method, path: pathOf(req) });
    return refuse(reply, { status: 500, code: 'INTERNAL', message: 'The request was not handled; try again.' });
  });
  app.setNotFoundHandler((_req, reply) =>
    refuse(reply, { status: 404, code: 'NOT_FOUND', message: 'Not here: POST events to /events/<event name>.' }),
  );

  await app.register(rateLimit, {
    max: options.maxRequestsPerSecond ?? DEFAULT_MAX_REQUESTS_PER_SECOND,
    timeWindow: 1000,
    // Per connection: on loopback every sender has the same address.
    keyGenerator: (req) => `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`,
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many requests on this connection: at most ${context.max} per second; retry in ${context.after}.`,
    }),
  });

  app.addHook('onRequest', async (req, reply) => {
    const refusal = screenHeaders(req, options, limits);
    if (refusal) return refuse(reply, refusal);
  });

  // The body arrives as raw bytes: the signature covers them exactly, and the depth is checked on
  // the text before anything parses it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerIngestRoutes(app, options, limits);

  await app.listen({ host: options.host, port: options.port });
  return {
    port: (app.server.address() as AddressInfo).port,
    close: () => app.close(),
  };
}

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0]?.slice(0, 200) ?? '';
}
