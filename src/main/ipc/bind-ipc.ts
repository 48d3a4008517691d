import { CALL_CHANNELS, isEventChannel } from '../../shared/contract';
import { fail } from '../../shared/result';
import type { Core } from '../core/create-core';

/** The part of an IPC event we check: which frame sent it, and whether it is a top frame. */
export interface IpcSenderLike {
  senderFrame: { url: string } | null;
  sender: { mainFrame: unknown; id: number };
}

/** Structural stand-in for Electron's ipcMain, so this binding is testable in plain Node. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderLike, input: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface WindowLike {
  isDestroyed(): boolean;
  webContents: { send(channel: string, payload: unknown): void };
}

/**
 * Registers one handler per allowlisted channel. Each checks the sender before anything else:
 * only the top frame of our own renderer may call, whatever page might end up in a window.
 */
export function bindIpc(
  ipc: IpcMainLike,
  core: Core,
  isTrustedUrl: (url: string) => boolean,
  windows: () => WindowLike[],
): () => void {
  for (const channel of CALL_CHANNELS) {
    ipc.handle(channel, async (event, input) => {
      const frame = event.senderFrame;
      if (!frame || frame !== event.sender.mainFrame || !isTrustedUrl(frame.url)) {
        return fail('UNAUTHORIZED', 'Calls are only accepted from the Flightdeck window.');
      }
      return core.invoke(channel, input, { transport: 'ipc' });
    });
  }
  const unsubscribe = core.subscribe((event, payload) => {
    if (!isEventChannel(event)) return;
    for (const win of windows()) if (!win.isDestroyed()) win.webContents.send(event, payload);
  });
  return () => {
    unsubscribe();
    for (const channel of CALL_CHANNELS) ipc.removeHandler(channel);
  };
}
