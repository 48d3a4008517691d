// The only file that imports ipcMain: everything else goes through bindIpc's structural types.
import { BrowserWindow, ipcMain } from 'electron';
import type { Core } from '../core/create-core';
import { bindIpc, type IpcMainLike } from './bind-ipc';

export function registerIpc(core: Core, isTrustedUrl: (url: string) => boolean): () => void {
  return bindIpc(ipcMain as unknown as IpcMainLike, core, isTrustedUrl, () => BrowserWindow.getAllWindows());
}
