// The only file that imports ipcRenderer. It forwards allowlisted channels and nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { isCallChannel, isEventChannel } from '../shared/contract/channels';
import type { FlightdeckApi } from '../shared/contract';

const api: FlightdeckApi = {
  call: (channel, input) => {
    if (!isCallChannel(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel: ${String(channel)}`, retryable: false },
      });
    }
    return ipcRenderer.invoke(channel, input);
  },
  on: (event, listener) => {
    if (!isEventChannel(event)) return () => {};
    const wrapped = (_: unknown, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, wrapped);
    return () => ipcRenderer.removeListener(event, wrapped);
  },
  onConnection: (listener) => {
    // IPC to the main process cannot drop; report it connected once.
    queueMicrotask(() => listener('connected'));
    return () => {};
  },
};

contextBridge.exposeInMainWorld('api', api);
