import { afterEach, describe, expect, it } from 'vitest';
import { CALL_CHANNELS } from '../../shared/contract';
import { testCore } from '../core/testing/test-core';
import { bindIpc, type IpcMainLike, type IpcSenderLike } from './bind-ipc';

type Listener = Parameters<IpcMainLike['handle']>[1];

function fakeIpc() {
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipc, handlers };
}

const TRUSTED = 'file:///app/out/renderer/index.html';
const sender = (url: string, topFrame = true): IpcSenderLike => {
  const frame = { url };
  return { senderFrame: frame, sender: { mainFrame: topFrame ? frame : {}, id: 1 } };
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0)) await fn();
});

describe('bindIpc', () => {
  function bound() {
    const t = testCore();
    cleanups.push(t.cleanup);
    const { ipc, handlers } = fakeIpc();
    const sent: [string, unknown][] = [];
    const win = { isDestroyed: () => false, webContents: { send: (c: string, p: unknown) => void sent.push([c, p]) } };
    const unbind = bindIpc(
      ipc,
      t.core,
      (url) => url.startsWith(TRUSTED),
      () => [win],
    );
    return { handlers, sent, unbind };
  }

  it('registers exactly the allowlisted channels and removes them on unbind', () => {
    const { handlers, unbind } = bound();
    expect([...handlers.keys()].sort()).toEqual([...CALL_CHANNELS].sort());
    unbind();
    expect(handlers.size).toBe(0);
  });

  it('refuses calls from a foreign page or a sub-frame', async () => {
    const { handlers } = bound();
    const handler = handlers.get('settings:get')!;
    expect(await handler(sender('https://evil.example/'), {})).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(await handler(sender(TRUSTED, false), {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('validates input and forwards events to windows', async () => {
    const { handlers, sent } = bound();
    const update = handlers.get('settings:update')!;
    expect(await update(sender(TRUSTED), { patch: { theme: 7 } })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(await update(sender(TRUSTED), { patch: { theme: 'light' } })).toMatchObject({ ok: true });
    expect(sent).toContainEqual(['settings:changed', expect.objectContaining({ theme: 'light' })]);
  });
});
