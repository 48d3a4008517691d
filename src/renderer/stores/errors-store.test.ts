import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState, FlightdeckApi } from '../../shared/contract';
import { followToastConditions, RECHECK_MS, setToastArea, toastContextOf, TOAST_MS, useErrors } from './errors-store';

const codes = () => useErrors.getState().errors.map((e) => e.code);

beforeEach(() => {
  vi.useFakeTimers();
  for (const e of useErrors.getState().errors) useErrors.getState().dismiss(e.id);
  setToastArea('instances');
});
afterEach(() => vi.useRealTimers());

describe('toasts', () => {
  it('carry a time and go away by themselves after a while', () => {
    vi.setSystemTime(new Date('2026-11-28T13:00:00Z'));
    useErrors.getState().report({ code: 'INTERNAL', message: 'boom', retryable: false }, { channel: 'x:y' });
    expect(useErrors.getState().errors[0]?.atMs).toBe(Date.parse('2026-11-28T13:00:00Z'));
    vi.advanceTimersByTime(TOAST_MS - 1);
    expect(codes()).toEqual(['INTERNAL']);
    vi.advanceTimersByTime(1);
    expect(codes()).toEqual([]);
  });

  it('stay while held (read) and while they need action', () => {
    useErrors.getState().report({ code: 'INTERNAL', message: 'a', retryable: false }, { channel: 'x:y' });
    useErrors.getState().report({ code: 'INTERNAL', message: 'b', retryable: false }, { sticky: true });
    const held = useErrors.getState().errors.find((e) => e.message === 'a')!;
    useErrors.getState().hold(held.id, true);
    vi.advanceTimersByTime(TOAST_MS * 3);
    expect(
      useErrors
        .getState()
        .errors.map((e) => e.message)
        .sort(),
    ).toEqual(['a', 'b']);
    useErrors.getState().hold(held.id, false);
    vi.advanceTimersByTime(TOAST_MS);
    expect(useErrors.getState().errors.map((e) => e.message)).toEqual(['b']);
  });

  it('count a repeated problem instead of stacking copies', () => {
    for (let i = 0; i < 3; i++)
      useErrors.getState().report({ code: 'INTERNAL', message: 'same', retryable: false }, { channel: 'x:y' });
    expect(useErrors.getState().errors).toHaveLength(1);
    expect(useErrors.getState().errors[0]?.repeats).toBe(2);
  });

  it('a NOT_FOUND does not follow the operator to another area', () => {
    setToastArea('executions');
    useErrors
      .getState()
      .report({ code: 'NOT_FOUND', message: 'No run 29', retryable: false }, { channel: 'runs:detail' });
    setToastArea('executions');
    expect(codes()).toEqual(['NOT_FOUND']);
    setToastArea('approvals');
    expect(codes()).toEqual([]);
  });

  it('N8N_UNREACHABLE stays until that instance is healthy again, the connection toast until connected', () => {
    const listeners: { instance?: (i: unknown) => void; connection?: (s: ConnectionState) => void } = {};
    const api = {
      on: (_event: string, listener: (i: unknown) => void) => ((listeners.instance = listener), () => undefined),
      onConnection: (listener: (s: ConnectionState) => void) => ((listeners.connection = listener), () => undefined),
      call: () => Promise.resolve({ ok: true, data: { healthy: false } }),
    } as unknown as FlightdeckApi;
    const stop = followToastConditions(api);
    useErrors
      .getState()
      .report(
        { code: 'N8N_UNREACHABLE', message: 'n8n down', retryable: true },
        toastContextOf('instances:test', { id: 'a' }),
      );
    useErrors.getState().report({ code: 'UNAVAILABLE', message: 'Cannot connect', retryable: true });
    vi.advanceTimersByTime(TOAST_MS * 10);
    expect(codes().sort()).toEqual(['N8N_UNREACHABLE', 'UNAVAILABLE']);
    listeners.instance?.({ id: 'b', health: { state: 'up' } });
    listeners.instance?.({ id: 'a', health: { state: 'down' } });
    expect(codes()).toContain('N8N_UNREACHABLE');
    listeners.instance?.({ id: 'a', health: { state: 'up' } });
    expect(codes()).toEqual(['UNAVAILABLE']);
    listeners.connection?.('connected');
    expect(codes()).toEqual([]);
    stop();
  });

  it('asks whether n8n answers again while an n8n toast is shown, and clears it when it does', async () => {
    let healthy = false;
    const asked: unknown[] = [];
    const api = {
      on: () => () => undefined,
      onConnection: () => () => undefined,
      call: (_channel: string, input: unknown) => {
        asked.push(input);
        return Promise.resolve({ ok: true, data: { healthy } });
      },
    } as unknown as FlightdeckApi;
    const stop = followToastConditions(api);
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(asked).toEqual([]); // Nothing shown: nothing asked.
    useErrors
      .getState()
      .report(
        { code: 'N8N_UNREACHABLE', message: 'down', retryable: true },
        toastContextOf('workflows:setActive', { instanceId: 'i1' }),
      );
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(asked).toEqual([{ id: 'i1' }]);
    expect(codes()).toEqual(['N8N_UNREACHABLE']);
    healthy = true;
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(codes()).toEqual([]);
    stop();
  });

  it('keeps at most five', () => {
    for (let i = 0; i < 8; i++)
      useErrors.getState().report({ code: 'INTERNAL', message: `m${i}`, retryable: false }, { sticky: true });
    expect(useErrors.getState().errors.map((e) => e.message)).toEqual(['m7', 'm6', 'm5', 'm4', 'm3']);
  });
});
