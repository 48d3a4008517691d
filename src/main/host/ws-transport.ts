import type { IncomingHttpHeaders } from 'node:http';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocket, type RawData } from 'ws';
import { isEventChannel } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import {
  clientFrameSchema,
  WS_CLOSE,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
  type ServerFrame,
} from '../../shared/wire';
import type { CallUser } from '../core/auth/actor';
import { isApiTokenShape } from '../core/auth/auth-rows';
import type { Credential } from '../core/auth/auth-service';
import type { Core } from '../core/create-core';
import { createTokenBucket, wsFrameLimitBytes, type ConnectionLimits } from '../core/limits';
import type { Logger } from '../core/logger';
import { bearerToken, sameSecret } from './secrets';
import { readCookie } from './session-cookie';

/** What the transport asks of team mode's accounts (core.auth). */
export interface WsAuth {
  teamMode(): boolean;
  resolve(credential: Credential): CallUser | null;
  onCredentialsChanged(listener: () => void): () => void;
}

export interface WsTransportOptions {
  core: Core;
  /** The host's shared token: accepted only outside team mode. */
  token: string;
  /** Team mode: sessions (cookie `sessionCookie`) and personal API tokens instead of the shared token. */
  auth?: WsAuth;
  /** Name of the session cookie (see session-cookie.ts; it carries the port, known once listening). */
  sessionCookie?: () => string;
  /** Exact origins a browser may connect from; requests without an Origin (CLI tools) pass. */
  allowedOrigins: () => string[];
  limits: ConnectionLimits;
  logger: Logger;
}

export interface WsTransport {
  /** Open, accepted connections. */
  connections(): number;
  /** Closes every connection (1001), waiting briefly for the closing handshakes. */
  closeAll(): Promise<void>;
}

/** The token from the sub-protocol list (browsers) or an Authorization header (other clients). */
export function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const bearer = bearerToken(headers.authorization);
  if (bearer) return bearer;
  const protocols = String(headers['sec-websocket-protocol'] ?? '').split(',');
  return protocols
    .map((p) => p.trim())
    .find((p) => p.startsWith(WS_TOKEN_PREFIX))
    ?.slice(WS_TOKEN_PREFIX.length);
}

/**
 * Team mode's credential of a request: a personal API token (Bearer, or the sub-protocol for
 * browsers and tools that cannot set headers) before the session cookie.
 */
export function credentialOf(headers: IncomingHttpHeaders, cookieName: (() => string) | undefined): Credential | null {
  const token = tokenOf(headers);
  if (token && isApiTokenShape(token)) return { kind: 'token', secret: token };
  const session = cookieName ? readCookie(headers, cookieName()) : undefined;
  return session ? { kind: 'session', secret: session } : null;
}

/** The id of a frame that failed validation, when it has a usable one, so the caller's call settles. */
function idOf(value: unknown): number | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const id = value.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/** ws names its protocol errors (bad UTF-8, oversize frame…) `WS_ERR_*`; it has sent the close frame. */
const protocolErrorOf = (error: Error): string | undefined => {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code.startsWith('WS_ERR_') ? code : undefined;
};

/**
 * Serves the contract over WebSocket (@fastify/websocket on the host's Fastify instance): the
 * same validation and handler table as Electron IPC. Must be registered before other routes.
 *
 * Every door of a connection answers instead of throwing: frames that are not JSON or not a call
 * get VALIDATION; too many calls get RATE_LIMITED (retryable); bad UTF-8 or an oversize frame
 * make `ws` close that socket (1007/1009) and the error is logged here; one connection over the
 * cap is closed with 1013 (try again later).
 */
export async function registerWsTransport(app: FastifyInstance, options: WsTransportOptions): Promise<WsTransport> {
  const { core, logger, limits, auth } = options;
  const open = new Set<WebSocket>();
  /** Team mode: the credential each connection signed in with, checked again on every call. */
  const credentials = new Map<WebSocket, Credential>();
  const signOut = (socket: WebSocket) => {
    credentials.delete(socket);
    if (socket.readyState === WebSocket.OPEN) socket.close(WS_CLOSE.signedOut, 'Signed out');
  };
  // A client that does not read its replies must not make the host buffer without end.
  const maxBufferedBytes = 32 * core.limits.maxPayloadBytes;

  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: wsFrameLimitBytes(core.limits),
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    },
    // Errors of an established socket: protocol errors (1002/1007/1009) were answered by ws with
    // a close frame already; anything else ends that socket, never the process.
    errorHandler: (error, socket) => {
      const protocolError = protocolErrorOf(error);
      logger.warn('A WebSocket connection failed', { reason: error.message, code: protocolError ?? 'other' });
      if (!protocolError && socket.readyState === WebSocket.OPEN) socket.close(WS_CLOSE.internalError);
    },
    preClose: async () => {
      await closeAll();
    },
  });

  // The plugin would upgrade a handshake to any route and then hang up; only /api upgrades.
  app.addHook('onRequest', async (request, res) => {
    if (request.ws && request.routeOptions.url !== WS_PATH) {
      return res.code(404).type('text/plain; charset=utf-8').send(`WebSockets are served at ${WS_PATH} only.\n`);
    }
  });

  const send = (socket: WebSocket, text: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > maxBufferedBytes) {
      logger.warn('Closed a WebSocket that does not read its messages', { buffered: socket.bufferedAmount });
      socket.close(WS_CLOSE.policy, 'Messages are not being read');
      return;
    }
    socket.send(text, (error) => {
      if (error) logger.debug('A WebSocket message was not sent', { reason: error.message });
    });
  };

  const reply = (socket: WebSocket, id: number | null, result: Result<unknown>) => {
    let text: string;
    try {
      text = JSON.stringify({ type: 'result', id, result } satisfies ServerFrame);
    } catch (error) {
      logger.error('A reply could not be serialised', { error });
      text = JSON.stringify({
        type: 'result',
        id,
        result: fail('INTERNAL', 'The answer could not be sent. Details are in the log.'),
      } satisfies ServerFrame);
    }
    send(socket, text);
  };

  // Half-open connections (a laptop gone to sleep) would otherwise hold a slot of the cap forever.
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const socket of open) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  const unsubscribe = core.subscribe((event, payload) => {
    if (!isEventChannel(event) || open.size === 0) return;
    let text: string;
    try {
      text = JSON.stringify({ type: 'event', event, payload } satisfies ServerFrame);
    } catch (error) {
      logger.error('An event could not be serialised', { event, error });
      return;
    }
    for (const socket of open) send(socket, text);
  });
  // A session ended or a token was revoked: its open connections end now, not at their next call.
  const unwatch = auth?.onCredentialsChanged(() => {
    for (const [socket, credential] of credentials) if (!auth.resolve(credential)) signOut(socket);
  });
  app.addHook('onClose', (_instance, done) => {
    unsubscribe();
    unwatch?.();
    clearInterval(heartbeat);
    done();
  });

  /** Origin, then token; checked before the upgrade so a refused client never gets a socket. */
  const authorize = async (request: FastifyRequest, res: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !options.allowedOrigins().includes(origin)) {
      logger.warn('Refused a WebSocket from a foreign origin', { origin: origin.slice(0, 200) });
      return res.code(403).type('text/plain; charset=utf-8').send('Origin not allowed.\n');
    }
    if (auth?.teamMode()) {
      // The shared token opens nothing in team mode: every connection is someone.
      const credential = credentialOf(request.headers, options.sessionCookie);
      if (!credential || !auth.resolve(credential)) {
        return res
          .code(401)
          .type('text/plain; charset=utf-8')
          .send('Sign in first: this console runs in team mode (a session cookie or a personal API token).\n');
      }
      return;
    }
    const token = tokenOf(request.headers);
    if (!token || !sameSecret(token, options.token)) {
      return res.code(401).type('text/plain; charset=utf-8').send('Missing or wrong token.\n');
    }
  };

  async function handleFrame(
    socket: WebSocket,
    raw: RawData,
    isBinary: boolean,
    allowed: boolean,
    retryAfterMs: () => number,
  ) {
    if (isBinary) return reply(socket, null, fail('VALIDATION', 'Send calls as text frames (JSON).'));
    let value: unknown;
    try {
      // JSON.parse itself is iterative in V8: deep documents do not overflow here; the depth
      // limit is applied to the argument by core.invoke, before the schema walks it.
      value = JSON.parse(String(raw));
    } catch {
      return reply(socket, null, fail('VALIDATION', 'Message is not valid JSON.'));
    }
    const frame = clientFrameSchema.safeParse(value);
    if (!frame.success) {
      return reply(socket, idOf(value), fail('VALIDATION', 'Message must be {type:"call", id, channel, input}.'));
    }
    if (!allowed) {
      const wait = retryAfterMs();
      return reply(
        socket,
        frame.data.id,
        fail(
          'RATE_LIMITED',
          `Too many calls on this connection (more than ${limits.callsPerSecond} a second); try again in ${wait} ms.`,
          true,
          { retryAfterMs: wait },
        ),
      );
    }
    // Team mode: who this call is, now (a session may have ended or a role changed since the upgrade).
    const credential = credentials.get(socket);
    let user: CallUser | undefined;
    if (credential && auth) {
      user = auth.resolve(credential) ?? undefined;
      if (!user) {
        reply(socket, frame.data.id, fail('UNAUTHORIZED', 'Your session has ended; sign in again.'));
        return signOut(socket);
      }
    }
    let result: Result<unknown>;
    try {
      result = await core.invoke(frame.data.channel, frame.data.input, { transport: 'ws', ...(user ? { user } : {}) });
    } catch (error) {
      // core.invoke answers every failure as data; this is the guard for what nobody foresaw.
      logger.error('Unexpected error while answering a WebSocket call', { channel: frame.data.channel, error });
      result = fail('INTERNAL', 'Something went wrong; details are in the log.');
    }
    reply(socket, frame.data.id, result);
  }

  app.get(WS_PATH, { websocket: true, preValidation: authorize }, (socket, request) => {
    if (open.size >= limits.maxConnections) {
      logger.warn('Refused a WebSocket: too many connections', { max: limits.maxConnections });
      socket.close(WS_CLOSE.tryAgainLater, 'Too many connections; try again later');
      return;
    }
    if (auth?.teamMode()) {
      const credential = credentialOf(request.headers, options.sessionCookie);
      // authorize() resolved it a moment ago; it may have ended since.
      if (!credential || !auth.resolve(credential)) return socket.close(WS_CLOSE.signedOut, 'Signed out');
      credentials.set(socket, credential);
    }
    open.add(socket);
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    socket.on('close', () => {
      open.delete(socket);
      credentials.delete(socket);
    });
    const bucket = createTokenBucket(limits.callsPerSecond, limits.callBurst);
    socket.on('message', (raw, isBinary) => {
      // Spent before parsing: malformed frames count against the rate as well.
      const allowed = bucket.take();
      handleFrame(socket, raw, isBinary, allowed, () => bucket.retryAfterMs()).catch((error: unknown) => {
        logger.error('Unexpected error while answering a WebSocket frame', { error });
        reply(socket, null, fail('INTERNAL', 'Something went wrong; details are in the log.'));
      });
    });
  });

  async function closeAll(): Promise<void> {
    const closing = [...open].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(WS_CLOSE.goingAway, 'Server shutting down');
          // A peer that never answers the close handshake is cut off.
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 1_000).unref();
        }),
    );
    await Promise.all(closing);
  }

  return { connections: () => open.size, closeAll };
}
