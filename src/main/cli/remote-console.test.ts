import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH, WS_PROTOCOL } from '../../shared/wire';
import { connectConsole } from './remote-console';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A console's WebSocket door on loopback that answers calls as told (null: never answers). */
async function door(answer: (frame: { id: number; channel: string }) => unknown) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: WS_PATH,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const sockets: WebSocket[] = [];
  server.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { id: number; channel: string };
      const result = answer(frame);
      if (result !== null) socket.send(JSON.stringify({ type: 'result', id: frame.id, result }));
    });
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(
    () => new Promise((resolve) => server.close(resolve)),
    () => sockets.forEach((s) => s.terminate()),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

describe('the CLI talking to a running console', () => {
  it('answers a call with the console’s result, and throws its refusal', async () => {
    const d = await door(({ channel }) =>
      channel === 'auth:listUsers'
        ? { ok: true, data: { users: [] } }
        : { ok: false, error: { code: 'FORBIDDEN', message: 'Needs admin.', retryable: false } },
    );
    const remote = await connectConsole(d.url, 'token');
    cleanups.push(() => remote.close());
    expect(await remote.call('auth:listUsers', {})).toEqual({ users: [] });
    await expect(remote.call('auth:resetPassword', { id: 1, password: 'x'.repeat(12) })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('a call on a connection the console has closed fails at once instead of waiting forever', async () => {
    const d = await door(() => ({ ok: true, data: { users: [] } }));
    const remote = await connectConsole(d.url, 'token', 10_000, { callTimeoutMs: 600_000 });
    cleanups.push(() => remote.close());
    expect(d.sockets).toHaveLength(1);
    const closed = new Promise((resolve) => d.sockets[0]?.once('close', resolve));
    d.sockets[0]?.close();
    await closed;
    // The client sees the close frame a moment later; either way the call must settle.
    await expect
      .poll(() => remote.call('auth:listUsers', {}).catch((e: Error) => e.message), { timeout: 10_000 })
      .toMatch(/connection to the console at .* is closed; nothing was sent/);
  });

  it('gives up on a call the console never answers, saying it may have happened', async () => {
    const d = await door(() => null);
    const remote = await connectConsole(d.url, 'token', 10_000, { callTimeoutMs: 300 });
    cleanups.push(() => remote.close());
    await expect(remote.call('auth:listUsers', {})).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/did not answer auth:listUsers within 300 ms; it may or may not have done it/),
    });
  });

  it('gives up connecting to a process that never answers the handshake, and hangs up', async () => {
    const sockets: Socket[] = [];
    let hungUp = 0;
    const server = createServer((socket) => {
      sockets.push(socket); // reads the request, never answers
      socket.on('data', () => undefined).on('close', () => hungUp++);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => sockets.forEach((s) => s.destroy()),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(connectConsole(url, 'token', 300)).rejects.toThrow(/did not answer in time/);
    await expect.poll(() => sockets.length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => hungUp, { timeout: 10_000 }).toBe(1);
  });
});
