import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { isApiTokenShape } from '../core/auth/auth-rows';
import type { Core } from '../core/create-core';
import { DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from '../core/limits';
import type { Logger } from '../core/logger';
import { registerAuthRoutes } from './auth-routes';
import { registerMetrics } from './metrics-endpoint';
import { sameSecret } from './secrets';
import { sessionCookieName } from './session-cookie';
import { registerStatic, SECURITY_HEADERS } from './static-files';
import { registerWsTransport } from './ws-transport';

export interface HostOptions {
  core: Core;
  /** Built renderer (out/renderer). */
  rendererDir: string;
  /** 127.0.0.1 unless the operator opts in to another interface. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Set by the operator, or generated (32 random bytes, hex). Not accepted in team mode. */
  token?: string;
  /** Extra browser origins allowed to connect (a reverse proxy's, say). */
  extraOrigins?: string[];
  /**
   * Serve GET /metrics (Prometheus text, opt-in) to holders of `token`, by default the host's; in
   * team mode to `token` when one was set, or to a personal API token.
   */
  metrics?: { token?: string };
  /** Serve https and wss with this certificate and key (PEM); plain http and ws without. */
  tls?: { cert: Buffer; key: Buffer };
  /** Connection cap and request rates; payload size and depth come from `core.limits`. */
  limits?: Partial<ConnectionLimits>;
  logger: Logger;
}

export interface RunningHost {
  /** `http://host:port/` or `https://…` with TLS. */
  url: string;
  token: string;
  port: number;
  /** The node:http server (an https.Server with TLS). */
  server: Server;
  close(): Promise<void>;
}

/** Sockets of every kind (pages, assets, WebSockets) beyond the WebSocket cap. */
const HTTP_SOCKETS_BEYOND_WS_CAP = 256;

/** Fastify's own log lines (a failed upgrade, a route error) in our logger; its chatter at debug. */
function fastifyLogger(logger: Logger): FastifyBaseLogger {
  const forward =
    (write: (message: string, fields?: Record<string, unknown>) => void) =>
    (first: unknown, ...rest: unknown[]) => {
      if (typeof first === 'string') return write(first);
      const fields = (first ?? {}) as Record<string, unknown>;
      const error = first instanceof Error ? first : fields.err;
      write(typeof rest[0] === 'string' ? rest[0] : 'Fastify', error ? { error } : {});
    };
  const log: FastifyBaseLogger = {
    level: 'info',
    fatal: forward(logger.error),
    error: forward(logger.error),
    warn: forward(logger.warn),
    info: forward(logger.debug),
    debug: forward(logger.debug),
    trace: () => undefined,
    silent: () => undefined,
    child: () => log,
  };
  return log;
}

/** The 4xx status a plugin gave its error (a bad path, a rate limit), else undefined. */
function clientErrorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * Serves the console over HTTP and its contract over WebSocket, on Fastify: URL and header
 * parsing, static files and the WebSocket upgrade are well-kept code, and a malformed request
 * gets a 4xx instead of ending the process. Anything unforeseen in a route is logged and
 * answered 500; the process stays up.
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { core, logger } = options;
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('hex');
  const metricsToken = options.metrics ? (options.metrics.token ?? token) : undefined;
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const scheme = options.tls ? 'https' : 'http';

  let server: Server | undefined;
  const app: FastifyInstance = Fastify({
    loggerInstance: fastifyLogger(logger),
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: (handler) => {
      // https.Server is an http.Server with TLS underneath; Fastify and ws treat both alike.
      server = options.tls
        ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
        : createHttpServer(handler);
      server.maxConnections = limits.maxConnections + HTTP_SOCKETS_BEYOND_WS_CAP;
      return server;
    },
    // The host reads no request bodies; whatever comes is refused small.
    bodyLimit: 1024,
    // A client that trickles its request must not hold a socket for long (slowloris).
    requestTimeout: 30_000,
    // A malformed URL (`/%`) is answered 400 by Fastify before any route or hook; add our headers.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      reply
        .code(error.statusCode ?? 400)
        .headers(SECURITY_HEADERS)
        .type('text/plain; charset=utf-8')
        .send(`${error.message}\n`);
    },
  });

  // Security headers on every answer, errors included.
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });

  // The guard of last resort: a 4xx keeps its status; anything else is logged and answered 500.
  app.setErrorHandler((error: unknown, request, reply) => {
    const status = clientErrorStatus(error) ?? 500;
    if (status >= 500) {
      logger.error('Unexpected error while answering a request', {
        method: request.method,
        url: request.url.slice(0, 200),
        error,
      });
    }
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(
        status >= 500 ? 'Something went wrong; details are in the console log.\n' : `${(error as Error).message}\n`,
      );
  });

  // Per client address: pages, assets and WebSocket handshakes (a token guesser gets 429s).
  await app.register(fastifyRateLimit, {
    global: true,
    max: limits.httpRequestsPerMinute,
    timeWindow: 60_000,
    // Retry-After on a 429 only; ordinary answers do not advertise the budget (as the ingest door).
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
  });

  let port = options.port ?? 0;
  const allowedOrigins = () => [
    `${scheme}://${host}:${port}`,
    `${scheme}://127.0.0.1:${port}`,
    `${scheme}://localhost:${port}`,
    ...(options.extraOrigins ?? []),
  ];
  const auth = core.auth;
  const cookieName = () => sessionCookieName(port, options.tls !== undefined);
  // The WebSocket plugin goes first: it must see the upgrade of every route.
  const ws = await registerWsTransport(app, {
    core,
    token,
    allowedOrigins,
    limits,
    logger,
    ...(auth ? { auth, sessionCookie: cookieName } : {}),
  });
  if (auth) registerAuthRoutes(app, { auth, cookieName, tls: options.tls !== undefined, allowedOrigins, logger });
  if (metricsToken) {
    const scrapeToken = options.metrics?.token;
    registerMetrics(
      app,
      core,
      (given) =>
        auth?.teamMode()
          ? (scrapeToken !== undefined && sameSecret(given, scrapeToken)) ||
            (isApiTokenShape(given) && auth.resolve({ kind: 'token', secret: given }) !== null)
          : sameSecret(given, metricsToken),
      logger,
    );
  }
  await registerStatic(app, options.rendererDir);

  await app.listen({ port, host });
  const listening = server!;
  // Errors after listen (EMFILE on accept…) are logged; the server keeps serving.
  listening.on('error', (error: Error) => logger.error('The console server reported an error', { error }));
  listening.on('tlsClientError', (error: Error) => logger.debug('A TLS handshake failed', { reason: error.message }));
  port = (listening.address() as AddressInfo).port;

  return {
    url: `${scheme}://${host}:${port}/`,
    token,
    port,
    server: listening,
    async close() {
      await ws.closeAll();
      await app.close();
    },
  };
}
