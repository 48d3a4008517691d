import { create } from 'zustand';
import type { Draft } from '../../../shared/contract';
import { api, send } from '../../api/client';

interface DraftsState {
  drafts: Draft[] | null;
  load(): Promise<void>;
}

/** Cache of core's drafts; refreshed whenever core announces a change (edits, push outcomes). */
export const useDrafts = create<DraftsState>((set) => ({
  drafts: null,
  async load() {
    set({ drafts: await send('drafts:list', {}) });
  },
}));

let subscribed = false;
export function followDrafts(): void {
  if (subscribed) return;
  subscribed = true;
  const reload = () =>
    void useDrafts
      .getState()
      .load()
      .catch(() => undefined);
  api.on('drafts:changed', reload);
  reload();
}
