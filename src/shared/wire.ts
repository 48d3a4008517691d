import { z } from 'zod';

/**
 * Frames of the WebSocket transport. Electron IPC needs no framing; the browser bridge and the
 * headless host share these shapes so both ends validate the same thing.
 */
export const clientFrameSchema = z.object({
  type: z.literal('call'),
  /** Chosen by the client, echoed in the reply. */
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  input: z.unknown(),
});
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ServerFrame =
  { type: 'result'; id: number | null; result: unknown } | { type: 'event'; event: string; payload: unknown };

/** Sub-protocol names: the browser cannot set headers on a WebSocket, so the token rides here. */
export const WS_PROTOCOL = 'flightdeck.v1';
export const WS_TOKEN_PREFIX = 'token.';
export const WS_PATH = '/api';

/**
 * Close codes the host sends (RFC 6455 §7.4.1); the browser bridge reacts to each: reconnects
 * after 1001/1011/1013, fails the calls in flight with a clear error after 1007/1008/1009.
 */
export const WS_CLOSE = {
  /** The host is shutting down. */
  goingAway: 1001,
  /** A text frame was not valid UTF-8. */
  invalidData: 1007,
  /** The client broke a rule of the connection (it does not read its messages). */
  policy: 1008,
  /** A frame was larger than the host reads in. */
  tooBig: 1009,
  /** Something unforeseen went wrong on the host. */
  internalError: 1011,
  /** Too many open connections: try again later. */
  tryAgainLater: 1013,
  /** Team mode: the session or token of this connection ended (logged out, revoked, expired, disabled). */
  signedOut: 4401,
} as const;
