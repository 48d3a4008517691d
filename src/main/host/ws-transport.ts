import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventChannel } from '../../shared/contract';
import { fail } from '../../shared/result';
import { clientFrameSchema, WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, type ServerFrame } from '../../shared/wire';
import type { Core } from '../core/create-core';
import type { Logger } from '../core/logger';

export interface WsTransportOptions {
  core: Core;
  server: Server;
  token: string;
  /** Exact origins a browser may connect from; requests without an Origin (CLI tools) pass. */
  allowedOrigins: () => string[];
  logger: Logger;
}

const MAX_FRAME_BYTES = 16 * 1024 * 1024;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from the sub-protocol list (browsers) or an Authorization header (other clients). */
export function tokenOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',');
  return protocols
    .map((p) => p.trim())
    .find((p) => p.startsWith(WS_TOKEN_PREFIX))
    ?.slice(WS_TOKEN_PREFIX.length);
}

/** Serves the contract over WebSocket: same validation and handler table as Electron IPC. */
export function attachWsTransport(options: WsTransportOptions): WebSocketServer {
  const { core, logger } = options;
  const wss = new WebSocketServer({
    server: options.server,
    path: WS_PATH,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    verifyClient: ({ req, origin }, done) => {
      if (origin && !options.allowedOrigins().includes(origin)) {
        logger.warn('Refused a WebSocket from a foreign origin', { origin });
        return done(false, 403, 'Origin not allowed');
      }
      const token = tokenOf(req);
      if (!token || !sameSecret(token, options.token)) return done(false, 401, 'Missing or wrong token');
      done(true);
    },
  });

  const send = (socket: WebSocket, frame: ServerFrame) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };

  const unsubscribe = core.subscribe((event, payload) => {
    if (!isEventChannel(event)) return;
    for (const socket of wss.clients) send(socket, { type: 'event', event, payload });
  });
  wss.on('close', unsubscribe);

  wss.on('connection', (socket) => {
    socket.on('message', async (raw) => {
      let frame;
      try {
        frame = clientFrameSchema.safeParse(JSON.parse(String(raw)));
      } catch {
        return send(socket, { type: 'result', id: null, result: fail('VALIDATION', 'Message is not valid JSON.') });
      }
      if (!frame.success) {
        return send(socket, {
          type: 'result',
          id: null,
          result: fail('VALIDATION', 'Message must be {type:"call", id, channel, input}.'),
        });
      }
      const result = await core.invoke(frame.data.channel, frame.data.input, { transport: 'ws' });
      send(socket, { type: 'result', id: frame.data.id, result });
    });
  });
  return wss;
}
