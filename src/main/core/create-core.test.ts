import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CALL_CHANNELS } from '../../shared/contract';
import { createCore } from './create-core';
import { tempDir, testCore } from './testing/test-core';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
function fresh() {
  const t = testCore();
  cleanups.push(t.cleanup);
  return t;
}

describe('createCore', () => {
  it('reports ready with the schema version and data directory', async () => {
    const { core, dataDir } = fresh();
    const status = await core.call('app:status', {});
    expect(status).toEqual({
      ok: true,
      data: expect.objectContaining({ state: 'ready', dataDir, startupError: null }),
    });
    expect(status.ok && status.data.schemaVersion).toBeGreaterThan(0);
  });

  it('stores settings durably and announces the change after commit', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const first = createCore({ dataDir: dir.path });
    const seen: unknown[] = [];
    first.subscribe((event, payload) => seen.push({ event, payload }));

    const updated = await first.call('settings:update', { patch: { theme: 'dark', retentionDays: 7 } });
    expect(updated.ok && updated.data).toMatchObject({ theme: 'dark', retentionDays: 7, dataDir: dir.path });
    expect(seen).toContainEqual({ event: 'settings:changed', payload: expect.objectContaining({ theme: 'dark' }) });
    expect(seen).toContainEqual({
      event: 'audit:appended',
      payload: expect.objectContaining({ action: 'settings.update' }),
    });
    await first.close();

    const second = createCore({ dataDir: dir.path });
    cleanups.push(() => second.close());
    const read = await second.call('settings:get', {});
    expect(read.ok && read.data).toMatchObject({ theme: 'dark', retentionDays: 7 });
  });

  // One core for every channel's check (a fresh core each costs a store and its migrations, ×140):
  // a malformed argument is refused before any handler runs, so none of these changes its state.
  let channelCore: ReturnType<typeof testCore> | undefined;
  afterAll(() => channelCore?.cleanup());
  it.each(CALL_CHANNELS)('%s rejects a malformed argument with VALIDATION', async (channel) => {
    channelCore ??= testCore();
    const { core } = channelCore;
    for (const bad of ['x', 42, null, [1], undefined]) {
      const result = await core.invoke(channel, bad);
      expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', retryable: false } });
    }
  });

  it('names the offending field and changes nothing on a bad settings patch', async () => {
    const { core } = fresh();
    const before = await core.call('settings:get', {});
    const result = await core.invoke('settings:update', { patch: { retentionDays: 0, theme: 'neon' } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.message).toMatch(/patch\.retentionDays/);
    expect(!result.ok && result.error.message).toMatch(/patch\.theme/);
    expect(await core.call('settings:get', {})).toEqual(before);
  });

  it('rejects unknown fields instead of ignoring them', async () => {
    const { core } = fresh();
    const result = await core.invoke('settings:update', { patch: { dataDir: '/elsewhere' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('answers UNKNOWN_CHANNEL for a channel outside the allowlist', async () => {
    const { core } = fresh();
    expect(await core.invoke('system:exec', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    expect(await core.invoke({ toString: 1 }, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('starts in a failed state on a database it must not touch, and says why', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const { migrations } = await import('./db/migrations');
    const future = {
      version: Math.max(...migrations.map((m) => m.version)) + 1,
      name: 'future',
      sql: 'CREATE TABLE future (id INTEGER) STRICT;',
    };
    const newer = createCore({ dataDir: dir.path, migrations: [...migrations, future] });
    await newer.close();

    const core = createCore({ dataDir: dir.path });
    cleanups.push(() => core.close());
    const status = await core.call('app:status', {});
    expect(status).toMatchObject({ ok: true, data: { state: 'failed', startupError: { code: 'NEWER_SCHEMA' } } });
    expect(await core.call('settings:get', {})).toMatchObject({ ok: false, error: { code: 'STARTUP_FAILED' } });
  });

  it('finishes calls in flight on close, then answers UNAVAILABLE', async () => {
    const { core } = fresh();
    const pending = core.call('settings:update', { patch: { retentionDays: 9 } });
    await core.close();
    expect(await pending).toMatchObject({ ok: true });
    expect(await core.call('settings:get', {})).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE', retryable: true },
    });
  });
});
