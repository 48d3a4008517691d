import type { FastifyReply } from 'fastify';
import type { Socket } from 'node:net';
import type { ErrorCode } from '../../../shared/result';
import { ACK_HEADER } from './signature';

/** A refusal as the door answers it: `{ ok: false, error: { code, message } }`. */
export interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
}

export const isRefusal = (value: object): value is Refusal => 'status' in value && 'code' in value;

export const refusalBody = (r: Refusal) => ({ ok: false, error: { code: r.code, message: r.message } });

/** Signs an answer's status and exact text (see signAck). */
export type AckSigner = (status: number, text: string) => string;

/** A JSON answer; with `ack` when the request's signature was verified. */
export function answer(reply: FastifyReply, status: number, body: Record<string, unknown>, ack?: AckSigner) {
  const text = JSON.stringify(body);
  reply.code(status).type('application/json; charset=utf-8');
  if (ack) reply.header(ACK_HEADER, ack(status, text));
  return reply.send(text);
}

/** How long a refused request's sender may go on sending before its connection is cut (ms). */
export const LINGER_MS = 2_000;

/**
 * Refuses before (or instead of) reading the body. `Connection: close` ends the exchange once the
 * answer is out; the connection then lingers (see lingerOnClose) so the sender can read it.
 */
export function refuseEarly(reply: FastifyReply, refusal: Refusal) {
  reply.header('connection', 'close');
  if (!reply.request.raw.complete) lingerOnClose(reply.request.raw.socket);
  return answer(reply, refusal.status, refusalBody(refusal));
}

/**
 * A lingering close, as nginx does it: closing a socket whose sender is still uploading resets the
 * connection, and a reset can reach the sender before it has read the answer ("fetch failed"
 * instead of a 413). So after the answer, Node's close sends FIN and keeps discarding what arrives
 * until the sender closes its side, for at most LINGER_MS.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    const cut = setTimeout(() => this.destroy(), LINGER_MS);
    cut.unref();
    this.once('close', () => clearTimeout(cut));
    this.once('end', () => this.destroy());
    this.end();
  };
}
