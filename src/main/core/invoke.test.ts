import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from './testing/test-core';

// The argument limits live in invoke, so Electron IPC (which calls core.invoke with the value
// structured-cloned from the renderer) gets the same refusals as the WebSocket door.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

function core(limits?: { maxPayloadBytes: number; maxDepth: number }) {
  const t = testCore(limits ? { limits } : {});
  cleanups.push(t.cleanup);
  return t.core;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('invoke: argument limits', () => {
  it('answers an argument 5,000 levels deep with VALIDATION, not a stack overflow', async () => {
    const c = core();
    const result = await c.invoke('settings:update', { patch: nested(5_000) }, { transport: 'ipc' });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', retryable: false } });
    expect(!result.ok && result.error.message).toContain('nesting limit');
    expect(!result.ok && result.error.details).toEqual([expect.objectContaining({ limit: 'maxDepth', max: 64 })]);
    expect(await c.invoke('settings:get', {}, { transport: 'ipc' })).toMatchObject({ ok: true });
  });

  it('refuses an argument over the payload limit before the handler runs', async () => {
    const c = core({ maxPayloadBytes: 4096, maxDepth: 64 });
    expect(c.limits.maxPayloadBytes).toBe(4096);
    const big = await c.invoke('ingest:emit', { event: 'x.y', payload: 'x'.repeat(5000) }, { transport: 'ipc' });
    expect(big).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(!big.ok && big.error.message).toContain('larger than 4096 bytes');
    const list = await c.call('executions:list', {});
    expect(list.ok && list.data.executions).toEqual([]);
  });

  it('refuses a cyclic argument (possible over IPC) instead of hanging', async () => {
    const c = core();
    const cyclic: Record<string, unknown> = { patch: {} };
    (cyclic.patch as Record<string, unknown>).self = cyclic;
    expect(await c.invoke('settings:update', cyclic, { transport: 'ipc' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
  });

  it('lets arguments within the limits through to the schema', async () => {
    const c = core();
    expect(await c.invoke('settings:update', { patch: { retentionDays: 'many' } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', details: [expect.objectContaining({ path: ['patch', 'retentionDays'] })] },
    });
  });
});
