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
