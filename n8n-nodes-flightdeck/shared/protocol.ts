/**
 * The Flightdeck console's ingest protocol, as a sender sees it (the console's side lives in
 * src/main/core/ingest/signature.ts of the Flightdeck repository; the README there documents it).
 * Pure functions over node:crypto, so they are unit-tested without n8n.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-flightdeck-signature';
export const TIMESTAMP_HEADER = 'x-flightdeck-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The console's signed acknowledgement, on every answer to a request whose signature held. */
export const ACK_HEADER = 'x-flightdeck-ack';

/** 1–200 visible ASCII characters, no spaces (what the console accepts). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** Letters, digits and . _ : -, starting with a letter or digit, at most 100 characters. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

function hmac(secret: string, ...parts: (string | Buffer)[]): string {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return `sha256=${mac.digest('hex')}`;
}

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, S): S is `<timestamp>.<raw body>`, or with an idempotency
 * key `<timestamp>.idempotency-key:<key>\n<raw body>` (the key is signed too, so it cannot be
 * swapped in transit).
 */
export function signRequest(secret: string, timestampMs: number, body: string, idempotencyKey?: string): string {
  const keyPart = idempotencyKey === undefined ? '' : `idempotency-key:${idempotencyKey}\n`;
  return hmac(secret, `${timestampMs}.${keyPart}`, body);
}

/** The headers of a signed JSON request whose body is exactly `body`. */
export function signedHeaders(
  secret: string,
  timestampMs: number,
  body: string,
  idempotencyKey?: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: String(timestampMs),
    [SIGNATURE_HEADER]: signRequest(secret, timestampMs, body, idempotencyKey),
    ...(idempotencyKey === undefined ? {} : { [IDEMPOTENCY_HEADER]: idempotencyKey }),
  };
}

/** What the console sends as X-Flightdeck-Ack for a request signed `requestSignature`. */
export function expectedAck(secret: string, requestSignature: string, status: number, responseText: string): string {
  return hmac(secret, `ack.${requestSignature}.${status}.`, responseText);
}

/** Constant-time comparison (false when the lengths differ). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether an answer came from the console that holds `secret`: only it can sign the status and
 * the exact body it sent with the request's own signature.
 */
export function ackHolds(
  secret: string,
  requestSignature: string,
  status: number,
  responseText: string,
  ack: string | undefined,
): boolean {
  return ack !== undefined && sameText(expectedAck(secret, requestSignature, status, responseText), ack);
}

/** A fresh challenge nonce: 32 URL-safe characters (the console takes 16–128 of A-Z a-z 0-9 _ -). */
export function newNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** The console's answer to `POST /challenge {nonce}`. */
export function challengeProof(secret: string, nonce: string): string {
  return hmac(secret, `challenge.${nonce}`);
}

/**
 * The token the approval node puts in its own resume URL and checks when the decision arrives:
 * bound to the execution and the node, keyed with the ingest secret. n8n 1.x resumes a waiting
 * execution for anyone who knows its URL; with this only the console (which got the URL in a
 * signed registration) can.
 */
export function resumeToken(secret: string, executionId: string, nodeId: string): string {
  return hmac(secret, `resume.${executionId}.${nodeId}`).slice('sha256='.length);
}
