import { create } from 'zustand';
import type { Instance } from '../../../shared/contract';
import { api, send } from '../../api/client';

interface InstancesState {
  instances: Instance[];
  loaded: boolean;
  /** Loads once and follows instances:changed / instances:removed: a cache of the core. */
  start(): void;
  refresh(): Promise<void>;
}

let started = false;

export const useInstances = create<InstancesState>((set, get) => ({
  instances: [],
  loaded: false,
  start() {
    if (started) return;
    started = true;
    api.on('instances:changed', (changed) => {
      const others = get().instances.filter((i) => i.id !== changed.id);
      set({ instances: [...others, changed].sort((a, b) => a.name.localeCompare(b.name)) });
    });
    api.on('instances:removed', ({ id }) => set({ instances: get().instances.filter((i) => i.id !== id) }));
    api.onConnection((state) => state === 'connected' && void get().refresh());
    void get().refresh();
  },
  async refresh() {
    const { instances } = await send('instances:list', {});
    set({ instances, loaded: true });
  },
}));

/** The instances store, started on first use by any page. */
export function useInstanceList(): InstancesState {
  const state = useInstances();
  state.start();
  return state;
}
