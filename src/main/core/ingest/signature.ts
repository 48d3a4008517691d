import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of a signed event (documented in the README for senders). */
export const SIGNATURE_HEADER = 'x-flightdeck-signature';
export const TIMESTAMP_HEADER = 'x-flightdeck-timestamp';

/** How far a sender's clock may be from ours before a request counts as a replay, ms. */
export const MAX_SKEW_MS = 5 * 60_000;

/** `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<raw body>`). */
export function sign(secret: string, timestampMs: number, body: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifySignature(
  secret: string,
  headers: { signature?: string | undefined; timestamp?: string | undefined },
  body: Buffer,
  nowMs: number,
): SignatureCheck {
  if (!headers.signature || !headers.timestamp) {
    return { ok: false, reason: `Sign the request: send ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} headers.` };
  }
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowMs - timestamp) > MAX_SKEW_MS) {
    return { ok: false, reason: `${TIMESTAMP_HEADER} must be the current time in epoch milliseconds (±5 minutes).` };
  }
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return {
      ok: false,
      reason: 'Signature does not match: sign `<timestamp>.<body>` with HMAC-SHA256 and the ingest secret.',
    };
  }
  return { ok: true };
}
