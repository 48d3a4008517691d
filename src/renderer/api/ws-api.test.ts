import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppErrorData } from '../../shared/result';
import { WS_CLOSE } from '../../shared/wire';
import { createWsApi, type SocketLike } from './ws-api';

/** A socket the test drives: it opens, answers and closes when told. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: { id: number; channel: string }[] = [];
  private handlers!: Parameters<SocketLike['listen']>[0];

  constructor(readonly protocols: string[]) {}
  send(data: string) {
    this.sent.push(JSON.parse(data) as { id: number; channel: string });
  }
  listen(handlers: Parameters<SocketLike['listen']>[0]) {
    this.handlers = handlers;
  }
  open() {
    this.readyState = 1;
    this.handlers.open();
  }
  answer(id: number, result: unknown) {
    this.handlers.message(JSON.stringify({ type: 'result', id, result }));
  }
  raw(text: string) {
    this.handlers.message(text);
  }
  close(code: number) {
    this.readyState = 3;
    this.handlers.close(code);
  }
}

function bridge() {
  const sockets: FakeSocket[] = [];
  const problems: AppErrorData[] = [];
  const api = createWsApi('secret', {
    url: 'ws://127.0.0.1:1/api',
    onProblem: (p) => problems.push(p),
    createSocket: (_url, protocols) => {
      const socket = new FakeSocket(protocols);
      sockets.push(socket);
      return socket;
    },
  });
  const states: string[] = [];
  api.onConnection((s) => states.push(s));
  const last = () => sockets[sockets.length - 1]!;
  return { api, sockets, problems, states, last };
}

const rateLimited = (retryAfterMs: number) => ({
  ok: false,
  error: { code: 'RATE_LIMITED', message: 'slow down', retryable: true, details: { retryAfterMs } },
});

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('WebSocket bridge', () => {
  it('sends the token as a sub-protocol and holds calls until the socket opens', async () => {
    const { api, last } = bridge();
    expect(last().protocols).toEqual(['flightdeck.v1', 'token.secret']);
    const call = api.call('settings:get', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toMatchObject([{ channel: 'settings:get' }]);
    last().answer(last().sent[0]!.id, { ok: true, data: { theme: 'dark' } });
    expect(await call).toEqual({ ok: true, data: { theme: 'dark' } });
  });

  it('sends a RATE_LIMITED call again after the wait the host names, a few times at most', async () => {
    const { api, last } = bridge();
    last().open();
    const call = api.call('settings:get', {});
    const id = last().sent[0]!.id;
    last().answer(id, rateLimited(300));
    vi.advanceTimersByTime(299);
    expect(last().sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(last().sent).toHaveLength(2);
    last().answer(id, { ok: true, data: 1 });
    expect(await call).toEqual({ ok: true, data: 1 });

    const stubborn = api.call('settings:get', {});
    const id2 = last().sent[2]!.id;
    for (let i = 0; i < 6; i++) {
      last().answer(id2, rateLimited(100));
      vi.advanceTimersByTime(100);
    }
    expect(await stubborn).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true } });
    expect(last().sent.filter((f) => f.id === id2)).toHaveLength(6);
  });

  it('after 1009 fails the calls in flight with VALIDATION, tells the operator once and reconnects', async () => {
    const { api, sockets, problems, last } = bridge();
    last().open();
    const call = api.call('backups:upload', { uploadId: 'abcdefgh', offset: 0, dataBase64: '' });
    last().close(WS_CLOSE.tooBig);
    const result = await call;
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION', retryable: false } });
    expect(!result.ok && result.error.message).toContain('FLIGHTDECK_MAX_PAYLOAD_BYTES');
    expect(problems).toHaveLength(1);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
  });

  it('after 1013 keeps its calls, waits at least 5 s and sends them on the next connection', async () => {
    const { api, sockets, problems, last, states } = bridge();
    last().open();
    const call = api.call('settings:get', {});
    last().close(WS_CLOSE.tryAgainLater);
    expect(problems[0]?.message).toContain('too many open connections');
    expect(states.at(-1)).toBe('disconnected');
    vi.advanceTimersByTime(4_999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent).toMatchObject([{ channel: 'settings:get' }]);
    last().answer(last().sent[0]!.id, { ok: true, data: 'late but fine' });
    expect(await call).toEqual({ ok: true, data: 'late but fine' });
  });

  it('fails calls in flight as UNAVAILABLE (retryable) when the host goes away, and reconnects with backoff', async () => {
    const { api, sockets, last } = bridge();
    last().open();
    const call = api.call('settings:get', {});
    last().close(WS_CLOSE.goingAway);
    expect(await call).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', retryable: true } });
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
    last().close(1006);
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
  });

  it('tells the operator once when handshakes keep failing (a wrong or outdated token looks like this)', () => {
    const { problems, last } = bridge();
    for (let i = 0; i < 6; i++) {
      last().close(1006);
      vi.advanceTimersByTime(5_000);
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    expect(problems[0]!.message).toContain('token');
  });

  it('ignores a frame that is not JSON and keeps answering', async () => {
    const { api, last } = bridge();
    last().open();
    last().raw('{broken');
    const call = api.call('settings:get', {});
    last().answer(last().sent[0]!.id, { ok: true, data: 2 });
    expect(await call).toEqual({ ok: true, data: 2 });
  });

  it('answers an argument that cannot be serialised with VALIDATION instead of throwing', async () => {
    const { api, last } = bridge();
    last().open();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await api.call('settings:update', { patch: cyclic } as never)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(last().sent).toEqual([]);
  });

  it('team mode: sends no token sub-protocol (the cookie signs in), and a signed-out close ends calls without retrying', async () => {
    const sockets: FakeSocket[] = [];
    let signedOut = 0;
    const api = createWsApi('', {
      url: 'ws://127.0.0.1:1/api',
      onSignedOut: () => signedOut++,
      createSocket: (_url, protocols) => {
        const socket = new FakeSocket(protocols);
        sockets.push(socket);
        return socket;
      },
    });
    const socket = sockets[0]!;
    expect(socket.protocols).toEqual(['flightdeck.v1']);
    socket.open();
    const call = api.call('settings:get', {});
    socket.close(WS_CLOSE.signedOut);
    expect(await call).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(signedOut).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});
