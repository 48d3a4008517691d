import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState, FlightdeckApi } from '../../shared/contract';
import { EVENT_CHANNELS } from '../../shared/contract/channels';
import { followCore, INVALIDATES, perFrame } from './follow-core';
import { callKey, shouldRetry } from './query-client';
import { AppError } from '../../shared/result';

/** A stand-in transport: events and connection changes are emitted by the test. */
function fakeApi() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connection = new Set<(state: ConnectionState) => void>();
  const api = {
    call: () => Promise.reject(new Error('not used')),
    on(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    onConnection(listener: (state: ConnectionState) => void) {
      connection.add(listener);
      listener('connecting');
      return () => connection.delete(listener);
    },
  } as unknown as FlightdeckApi;
  return {
    api,
    emit: (event: string) => listeners.get(event)?.forEach((l) => l({})),
    connect: (state: ConnectionState) => connection.forEach((l) => l(state)),
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) + connection.size,
  };
}

function cacheWith(...channels: string[]) {
  const client = new QueryClient();
  for (const channel of channels) client.setQueryData([channel, {}], { seeded: channel });
  const stale = () =>
    client
      .getQueryCache()
      .getAll()
      .filter((q) => q.state.isInvalidated)
      .map((q) => q.queryKey[0]);
  return { client, stale };
}

afterEach(() => vi.useRealTimers());

describe('followCore', () => {
  it('names what every event invalidates (a new event must be decided on)', () => {
    expect(Object.keys(INVALIDATES).sort()).toEqual([...EVENT_CHANNELS].sort());
  });

  it('marks stale only the queries of the areas an event changed', () => {
    const fake = fakeApi();
    const { client, stale } = cacheWith('schedules:list', 'instances:list', 'queue:stats');
    followCore(fake.api, client, { throttleMs: 0 });
    fake.emit('schedules:tick');
    expect(stale()).toEqual(['schedules:list']);
    fake.emit('mappings:changed');
    expect(stale().sort()).toEqual(['queue:stats', 'schedules:list']);
  });

  it('refetches everything after a reconnect, not on the first connection', () => {
    const fake = fakeApi();
    const { client, stale } = cacheWith('schedules:list', 'instances:list');
    followCore(fake.api, client);
    fake.connect('connected');
    expect(stale()).toEqual([]);
    fake.connect('disconnected');
    fake.connect('connecting');
    fake.connect('connected');
    expect(stale().sort()).toEqual(['instances:list', 'schedules:list']);
  });

  it('a restore makes everything stale', () => {
    const fake = fakeApi();
    const { client, stale } = cacheWith('schedules:list', 'settings:get', 'audit:list');
    followCore(fake.api, client, { throttleMs: 0 });
    fake.emit('backups:restored');
    expect(stale()).toHaveLength(3);
  });

  it('throttles a burst to one refetch at once and one at the end of the window', () => {
    vi.useFakeTimers();
    const fake = fakeApi();
    const client = new QueryClient();
    const spy = vi.spyOn(client, 'invalidateQueries');
    followCore(fake.api, client, { throttleMs: 1000 });
    for (let i = 0; i < 20; i++) fake.emit('queue:changed');
    expect(spy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(999);
    expect(spy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(spy).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('unsubscribes from everything it followed', () => {
    const fake = fakeApi();
    const stop = followCore(fake.api, new QueryClient());
    expect(fake.listenerCount()).toBeGreaterThan(EVENT_CHANNELS.length);
    stop();
    expect(fake.listenerCount()).toBe(0);
  });
});

describe('query defaults', () => {
  it('keys by channel first, and retries only what the core calls retryable, twice', () => {
    expect(callKey('schedules:list', {})).toEqual(['schedules:list', {}]);
    expect(shouldRetry(0, new AppError('N8N_UNREACHABLE', 'down', { retryable: true }))).toBe(true);
    expect(shouldRetry(2, new AppError('N8N_UNREACHABLE', 'down', { retryable: true }))).toBe(false);
    expect(shouldRetry(0, new AppError('NOT_FOUND', 'gone'))).toBe(false);
    expect(shouldRetry(0, new Error('bug'))).toBe(false);
  });
});

describe('perFrame (rows pushed with an event)', () => {
  /** A frame clock the test advances by hand. */
  function manualFrames() {
    let due: (() => void)[] = [];
    return {
      request: (cb: () => void) => void due.push(cb),
      tick() {
        const run = due;
        due = [];
        run.forEach((cb) => cb());
      },
      pending: () => due.length,
    };
  }

  it('applies the first push of a frame at once, and a burst once at the next frame', () => {
    const frames = manualFrames();
    const applied: number[][] = [];
    const live = perFrame<number>((batch) => applied.push(batch), frames);
    live.push([1]);
    expect(applied).toEqual([[1]]); // no timer, no frame to wait for
    live.push([2]);
    live.push([3, 4]);
    expect(applied).toEqual([[1]]);
    frames.tick();
    expect(applied).toEqual([[1], [2, 3, 4]]);
    frames.tick(); // a quiet frame ends the busy state
    expect(frames.pending()).toBe(0);
    live.push([5]);
    expect(applied).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('drops what waits once disposed, and ignores empty pushes', () => {
    const frames = manualFrames();
    const applied: number[][] = [];
    const live = perFrame<number>((batch) => applied.push(batch), frames);
    live.push([]);
    expect(applied).toEqual([]);
    live.push([1]);
    live.push([2]);
    live.dispose();
    frames.tick();
    live.push([3]);
    expect(applied).toEqual([[1]]);
  });
});
