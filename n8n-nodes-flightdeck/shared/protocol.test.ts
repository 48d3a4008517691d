import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// The console's own implementation: the node must sign exactly as the door verifies.
import { challengeProof as consoleProof, sign, signAck, verifySignature } from '../../src/main/core/ingest/signature';
import {
  ackHolds,
  challengeProof,
  expectedAck,
  newNonce,
  resumeToken,
  signedHeaders,
  signRequest,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
} from './protocol';

const SECRET = 'a-console-ingest-secret';
const BODY = '{"orderId":81,"note":"crème brûlée"}';

describe('signing as the console verifies', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256, as documented', () => {
    const expected = createHmac('sha256', SECRET).update(`1767225600000.${BODY}`).digest('hex');
    expect(signRequest(SECRET, 1767225600000, BODY)).toBe(`sha256=${expected}`);
    expect(signRequest(SECRET, 1767225600000, BODY)).toBe(sign(SECRET, 1767225600000, BODY));
  });

  it('signs the idempotency key with the body, and the console accepts it', () => {
    const now = Date.now();
    const headers = signedHeaders(SECRET, now, BODY, 'order-81');
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'order-81' });
    expect(headers[SIGNATURE_HEADER]).toBe(sign(SECRET, now, BODY, 'order-81'));
    const check = verifySignature(
      SECRET,
      { signature: headers[SIGNATURE_HEADER], timestamp: headers[TIMESTAMP_HEADER], idempotencyKey: 'order-81' },
      Buffer.from(BODY),
      now,
    );
    expect(check).toEqual({ ok: true });
    // Moving the key out of the signed text (or signing another key) is refused.
    expect(
      verifySignature(
        SECRET,
        { signature: headers[SIGNATURE_HEADER], timestamp: headers[TIMESTAMP_HEADER], idempotencyKey: 'order-82' },
        Buffer.from(BODY),
        now,
      ).ok,
    ).toBe(false);
    expect(signedHeaders(SECRET, now, BODY)).not.toHaveProperty('idempotency-key');
  });

  it('checks the console acknowledgement over signature, status and the exact answer', () => {
    const signature = signRequest(SECRET, 1, BODY);
    const text = '{"ok":true,"executionIds":[7],"deduplicated":false}';
    const ack = signAck(SECRET, signature, 202, text);
    expect(expectedAck(SECRET, signature, 202, text)).toBe(ack);
    expect(ackHolds(SECRET, signature, 202, text, ack)).toBe(true);
    expect(ackHolds(SECRET, signature, 200, text, ack)).toBe(false);
    expect(ackHolds(SECRET, signature, 202, `${text} `, ack)).toBe(false);
    expect(ackHolds('another-secret', signature, 202, text, ack)).toBe(false);
    expect(ackHolds(SECRET, signature, 202, text, undefined)).toBe(false);
  });

  it('answers the challenge as the console does, with fresh URL-safe nonces', () => {
    const nonce = newNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newNonce()).not.toBe(nonce);
    expect(challengeProof(SECRET, nonce)).toBe(consoleProof(SECRET, nonce));
  });

  it('binds the resume token to the execution, the node and the secret', () => {
    const token = resumeToken(SECRET, '81', 'node-1');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(resumeToken(SECRET, '81', 'node-1')).toBe(token);
    expect(resumeToken(SECRET, '82', 'node-1')).not.toBe(token);
    expect(resumeToken(SECRET, '81', 'node-2')).not.toBe(token);
    expect(resumeToken('another-secret', '81', 'node-1')).not.toBe(token);
    // Not a request signature or a challenge proof under another name.
    expect(`sha256=${token}`).not.toBe(challengeProof(SECRET, 'resume.81.node-1'));
  });
});
