import { create } from 'zustand';
import type { CallOutput } from '../../shared/contract';
import { api, send } from '../api/client';
import { shownAsToast } from '../data/calls';
import { useApprovals } from '../features/approvals/approvals-store';
import { useDrafts } from '../features/drafts/drafts-store';
import { useApp } from './app-store';

interface RestoreState {
  /**
   * Bumped each time a restore completes (in any window): the current page is mounted afresh
   * under this key, so everything it loaded for itself is loaded again.
   */
  generation: number;
  /** This window's last restore, kept here so the answer survives the page being remounted. */
  lastResult: CallOutput<'backups:restore'> | null;
}

export const useRestores = create<RestoreState>(() => ({ generation: 0, lastResult: null }));

// Each refetch goes through send(), which puts a failure in the toasts.
const quietly = (work: () => Promise<unknown>) => void work().catch(shownAsToast);

/**
 * After a restore every cached row may be another one (the data layer's queries refetch by
 * themselves: follow-core.ts): refetch each older store that has loaded
 * something (one that never loaded will load when first used), then remount the current page.
 */
function refetchEverything(): void {
  quietly(async () => useApp.setState({ settings: await send('settings:get', {}) }));
  if (useDrafts.getState().drafts !== null) quietly(() => useDrafts.getState().load());
  // The approvals area reads through the data layer (refetched by follow-core); its ticks may name other rows now.
  useApprovals.getState().clearSelection();
  useRestores.setState((s) => ({ generation: s.generation + 1 }));
}

let following = false;
/** Follows `backups:restored` for the life of the window. */
export function followRestores(): void {
  if (following) return;
  following = true;
  api.on('backups:restored', refetchEverything);
}
