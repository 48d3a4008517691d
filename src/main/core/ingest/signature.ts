import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed request (documented in the README for senders). */
export const SIGNATURE_HEADER = 'x-flightdeck-signature';
export const TIMESTAMP_HEADER = 'x-flightdeck-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The console's signed acknowledgement of a signed request (see `signAck`). */
export const ACK_HEADER = 'x-flightdeck-ack';

/** How far a sender's clock may be from ours before a request counts as a replay, ms. */
export const MAX_SKEW_MS = 5 * 60_000;

/** An idempotency key: 1–200 visible ASCII characters (no spaces, so no trimming question). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

const hmac = (secret: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return 'sha256=' + mac.digest('hex');
};

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, S) where S is
 * - `<timestamp>.<raw body>` without an idempotency key (unchanged from the first version), or
 * - `<timestamp>.idempotency-key:<key>\n<raw body>` with one.
 * No JSON text starts with `idempotency-key:` and no header value holds a newline, so neither form
 * can pass for the other, and a key cannot be moved into the body or out of it.
 */
export function sign(secret: string, timestampMs: number, body: string | Buffer, idempotencyKey?: string): string {
  const keyPart = idempotencyKey === undefined ? '' : `idempotency-key:${idempotencyKey}\n`;
  return hmac(secret, `${timestampMs}.${keyPart}`, body);
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

const SIGNATURE_SHAPE = /^sha256=[0-9a-f]{64}$/;

/**
 * What can be checked before the body arrives: both headers present, the signature well formed and
 * the timestamp within ±5 minutes. The door refuses anything else without reading the body.
 */
export function checkSignatureHeaders(
  headers: { signature?: string | undefined; timestamp?: string | undefined },
  nowMs: number,
): SignatureCheck {
  if (!headers.signature || !headers.timestamp) {
    return { ok: false, reason: `Sign the request: send ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} headers.` };
  }
  if (!SIGNATURE_SHAPE.test(headers.signature)) {
    return { ok: false, reason: `${SIGNATURE_HEADER} must be sha256=<64 lowercase hex digits>.` };
  }
  const timestamp = Number(headers.timestamp);
  if (!/^\d{1,16}$/.test(headers.timestamp) || Math.abs(nowMs - timestamp) > MAX_SKEW_MS) {
    return { ok: false, reason: `${TIMESTAMP_HEADER} must be the current time in epoch milliseconds (±5 minutes).` };
  }
  return { ok: true };
}

export function verifySignature(
  secret: string,
  headers: { signature?: string | undefined; timestamp?: string | undefined; idempotencyKey?: string | undefined },
  body: Buffer,
  nowMs: number,
): SignatureCheck {
  const shape = checkSignatureHeaders(headers, nowMs);
  if (!shape.ok) return shape;
  const expected = sign(secret, Number(headers.timestamp), body, headers.idempotencyKey);
  if (!sameText(expected, headers.signature ?? '')) {
    return {
      ok: false,
      reason:
        headers.idempotencyKey === undefined
          ? 'Signature does not match: sign `<timestamp>.<body>` with HMAC-SHA256 and the ingest secret.'
          : 'Signature does not match: with an Idempotency-Key, sign `<timestamp>.idempotency-key:<key>\\n<body>` ' +
            'with HMAC-SHA256 and the ingest secret.',
    };
  }
  return { ok: true };
}

/** Constant-time comparison of two strings (false when their lengths differ). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A challenge nonce: 16–128 URL-safe characters, chosen fresh by whoever asks. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The console's answer to `POST /challenge {nonce}`: only the holder of the ingest secret can
 * compute it, so a caller that checks it knows it reached this console and not whatever else
 * listens on the port. The `challenge.` prefix keeps it apart from request signatures (which start
 * with a timestamp) and acknowledgements.
 */
export function challengeProof(secret: string, nonce: string): string {
  return hmac(secret, `challenge.${nonce}`);
}

/**
 * The console's acknowledgement of a signed request: HMAC over the request's own signature (unique:
 * each is accepted once), the status and the exact response body. A process squatting the port
 * cannot fake an acceptance without the secret.
 */
export function signAck(secret: string, requestSignature: string, status: number, responseBody: string): string {
  return hmac(secret, `ack.${requestSignature}.${status}.`, responseBody);
}
