import { describe, expect, it } from 'vitest';
import {
  createTokenBucket,
  DEFAULT_LIMITS,
  jsonTextDepth,
  limitProblem,
  limitsFromEnv,
  valueDepth,
  valueSize,
  wsFrameLimitBytes,
} from './limits';

/** `depth` nested arrays built without recursion. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('input limits', () => {
  it('measures depth of text and values without recursion, far past the stack', () => {
    expect(jsonTextDepth('{"a":"[[[[","b":[1,{"c":2}]}')).toBe(3);
    expect(valueDepth(nested(200_000))).toBe(200_000);
    expect(valueDepth(nested(200_000), 64)).toBe(65);
    expect(valueDepth({ a: [1, 2], b: 'x' })).toBe(2);
  });

  it('sizes a value like its JSON text and stops early on huge ones', () => {
    const plain = { name: 'order', items: [1, 22, 333], ok: true, gone: false, nothing: null, nested: { é: 'ü' } };
    expect(valueSize(plain)).toBe(Buffer.byteLength(JSON.stringify(plain)));
    const huge = Array.from({ length: 1_000_000 }, () => 'some text');
    expect(valueSize(huge, 1_000)).toBeGreaterThan(1_000);
    // Binary data counts its bytes and is not walked element by element.
    expect(valueSize(new Uint8Array(5_000_000), 10)).toBe(5_000_000);
    expect(valueDepth({ bytes: new Uint8Array(10) })).toBe(2);
  });

  it('names the limit an argument breaks, depth before size; a cycle is too deep', () => {
    const limits = { maxPayloadBytes: 100, maxDepth: 4 };
    expect(limitProblem({ a: [1, 2, 3] }, limits)).toBeNull();
    expect(limitProblem(nested(5), limits)).toMatchObject({ limit: 'maxDepth', max: 4 });
    expect(limitProblem({ text: 'x'.repeat(200) }, limits)).toMatchObject({ limit: 'maxPayloadBytes', max: 100 });
    expect(limitProblem({ text: 'x'.repeat(200) }, limits)?.message).toContain('FLIGHTDECK_MAX_PAYLOAD_BYTES');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(limitProblem(cyclic, limits)).toMatchObject({ limit: 'maxDepth' });
  });

  it('reads the payload limit from the environment, ignoring nonsense', () => {
    expect(limitsFromEnv({ FLIGHTDECK_MAX_PAYLOAD_BYTES: '2048' })).toEqual({
      ...DEFAULT_LIMITS,
      maxPayloadBytes: 2048,
    });
    for (const bad of ['0', '-5', 'lots', '1.5', ''])
      expect(limitsFromEnv({ FLIGHTDECK_MAX_PAYLOAD_BYTES: bad })).toEqual(DEFAULT_LIMITS);
  });

  it('reads frames a little larger than the largest argument', () => {
    expect(wsFrameLimitBytes(DEFAULT_LIMITS)).toBeGreaterThan(DEFAULT_LIMITS.maxPayloadBytes + 1024);
  });

  it('token bucket: a burst, then one call per refill, and when the next is due', () => {
    let now = 0;
    const bucket = createTokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterMs()).toBe(500);
    now += 499;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});
