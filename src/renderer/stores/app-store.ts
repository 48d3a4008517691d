import { create } from 'zustand';
import type { AppStatus, ConnectionState, Settings, SettingsPatch } from '../../shared/contract';
import { api, send } from '../api/client';
import { shownAsToast } from '../data/calls';

interface AppState {
  status: AppStatus | null;
  settings: Settings | null;
  connection: ConnectionState;
  /** Loads status and settings once, then follows events: the store is a cache of core. */
  start(): Promise<void>;
  updateSettings(patch: SettingsPatch): Promise<void>;
}

export const useApp = create<AppState>((set, get) => ({
  status: null,
  settings: null,
  connection: 'connecting',

  async start() {
    api.onConnection((connection) => {
      const wasDown = get().connection === 'disconnected';
      set({ connection });
      // After a reconnect, refresh what may have changed while events could not arrive.
      if (wasDown && connection === 'connected' && get().status?.state === 'ready') {
        void send('settings:get', {})
          .then((settings) => set({ settings }))
          .catch(shownAsToast);
      }
    });
    api.on('settings:changed', (settings) => set({ settings }));
    const status = await send('app:status', {});
    set({ status });
    if (status.state === 'ready') set({ settings: await send('settings:get', {}) });
  },

  async updateSettings(patch) {
    set({ settings: await send('settings:update', { patch }) });
  },
}));
