import { create } from 'zustand';
import type { Mapping } from '../../../shared/contract';
import { api, send } from '../../api/client';

interface MappingsState {
  mappings: Mapping[] | null;
  load(): Promise<void>;
}

/** Cache of core's mappings; refreshed whenever core announces a change. */
export const useMappings = create<MappingsState>((set) => ({
  mappings: null,
  async load() {
    set({ mappings: await send('mappings:list', {}) });
  },
}));

let subscribed = false;
export function followMappings(): void {
  if (subscribed) return;
  subscribed = true;
  api.on(
    'mappings:changed',
    () =>
      void useMappings
        .getState()
        .load()
        .catch(() => undefined),
  );
  void useMappings
    .getState()
    .load()
    .catch(() => undefined);
}
