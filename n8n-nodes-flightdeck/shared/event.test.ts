import { describe, expect, it } from 'vitest';
import { eventNameSchema } from '../../src/shared/contract/mappings';
import { checkEventName, checkIdempotencyKey, EventInputError, eventResult, payloadText } from './event';

describe('Emit Event inputs', () => {
  it.each(['order.created', 'a', 'Billing:invoice_paid-2', 'x'.repeat(100)])('takes the event name %s', (name) => {
    expect(checkEventName(` ${name} `)).toBe(name);
    expect(eventNameSchema.safeParse(name).success).toBe(true);
  });

  it.each(['', '.hidden', 'has space', 'slash/name', 'x'.repeat(101)])('refuses the event name %j', (name) => {
    expect(() => checkEventName(name)).toThrow(EventInputError);
    expect(eventNameSchema.safeParse(name).success).toBe(false);
  });

  it('takes idempotency keys the console takes', () => {
    expect(checkIdempotencyKey('')).toBeUndefined();
    expect(checkIdempotencyKey(undefined)).toBeUndefined();
    expect(checkIdempotencyKey('order-81')).toBe('order-81');
    expect(() => checkIdempotencyKey('with space')).toThrow(/visible ASCII/);
    expect(() => checkIdempotencyKey('é')).toThrow(/visible ASCII/);
    expect(() => checkIdempotencyKey('k'.repeat(201))).toThrow(/200/);
  });

  it('sends an item or a JSON text as one JSON document', () => {
    expect(payloadText({ orderId: 81 })).toBe('{"orderId":81}');
    expect(payloadText('{ "orderId": 81 }')).toBe('{"orderId":81}');
    expect(payloadText('[1,2]')).toBe('[1,2]');
    expect(() => payloadText('{ not json')).toThrow(/not valid JSON/);
    expect(() => payloadText(undefined)).toThrow(/empty/);
  });

  it("reads the console's answer", () => {
    expect(eventResult('order.created', 'k', { ok: true, executionIds: [7, 8], deduplicated: true })).toEqual({
      event: 'order.created',
      executionIds: [7, 8],
      deduplicated: true,
      idempotencyKey: 'k',
    });
    expect(eventResult('e', undefined, {})).toEqual({
      event: 'e',
      executionIds: [],
      deduplicated: false,
      idempotencyKey: null,
    });
  });
});
