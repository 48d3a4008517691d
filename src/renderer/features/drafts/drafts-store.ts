import { create } from 'zustand';
import type { Draft } from '../../../shared/contract';
import { api } from '../../api/client';
import { ask } from './failure';

interface DraftsState {
  drafts: Draft[] | null;
  /** The last load failed (the drafts page shows it with a Retry); null once a load succeeds. */
  error: Error | null;
  /** Never rejects: a failure lands in `error`. */
  load(): Promise<void>;
}

/** Cache of core's drafts; refreshed whenever core announces a change (edits, push outcomes). */
export const useDrafts = create<DraftsState>((set) => ({
  drafts: null,
  error: null,
  async load() {
    try {
      set({ drafts: await ask('drafts:list', {}), error: null });
    } catch (error) {
      set({ error: error instanceof Error ? error : new Error(String(error)) });
    }
  },
}));

let subscribed = false;
export function followDrafts(): void {
  if (subscribed) return;
  subscribed = true;
  const reload = () => void useDrafts.getState().load();
  api.on('drafts:changed', reload);
  reload();
}
