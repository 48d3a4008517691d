import type { FastifyReply } from 'fastify';
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

/**
 * Refuses before (or instead of) reading the body: `Connection: close` makes Node drop the socket
 * once the answer is out, instead of draining whatever the sender still has to send.
 */
export function refuseEarly(reply: FastifyReply, refusal: Refusal) {
  reply.header('connection', 'close');
  return answer(reply, refusal.status, refusalBody(refusal));
}
