import { create } from 'zustand';
import type { QueueJob, QueueJobState, QueueOverview } from '../../../shared/contract';
import { api, sendCatch } from '../../api/client';

/** The job lists of the Queue area, each a set of queue states. */
export const VIEWS = [
  { id: 'waiting', label: 'Waiting', states: ['waiting'] },
  { id: 'delayed', label: 'Delayed', states: ['delayed'] },
  { id: 'active', label: 'In flight', states: ['active'] },
  { id: 'dead', label: 'Dead letters', states: ['dead_lettered'] },
  { id: 'completed', label: 'Completed', states: ['completed'] },
  { id: 'canceled', label: 'Canceled', states: ['canceled'] },
] as const satisfies readonly { id: string; label: string; states: readonly QueueJobState[] }[];
export type ViewId = (typeof VIEWS)[number]['id'];

/** Which jobs the list shows: one view, optionally one instance or mapping. */
export interface Scope {
  view: ViewId;
  instanceId: string | null;
  mappingId: string | null;
}

interface QueueState {
  overview: QueueOverview | null;
  jobs: QueueJob[] | null;
  /** Why the last load failed (shown with a retry), or null. */
  error: string | null;
  scope: Scope;
  /** The job under the table's cursor (j/k, ↑/↓): what r and c act on when nothing is selected. */
  focusedId: number | null;
  selected: Set<number>;
  setScope(patch: Partial<Scope>): void;
  setFocused(id: number | null): void;
  toggle(id: number): void;
  clearSelection(): void;
  refresh(): Promise<void>;
}

export const useQueue = create<QueueState>((set, get) => ({
  overview: null,
  jobs: null,
  error: null,
  scope: { view: 'waiting', instanceId: null, mappingId: null },
  focusedId: null,
  selected: new Set(),
  setScope(patch) {
    set({ scope: { ...get().scope, ...patch }, focusedId: null, selected: new Set(), jobs: null });
    void get().refresh();
  },
  setFocused: (focusedId) => set({ focusedId }),
  toggle(id) {
    const selected = new Set(get().selected);
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    set({ selected });
  },
  clearSelection: () => set({ selected: new Set() }),
  async refresh() {
    const { scope } = get();
    const view = VIEWS.find((v) => v.id === scope.view) ?? VIEWS[0];
    const [overview, jobs] = await Promise.all([
      sendCatch('queue:overview', {}),
      sendCatch('queue:jobs', {
        states: [...view.states],
        limit: 200,
        ...(scope.instanceId ? { instanceId: scope.instanceId } : {}),
        ...(scope.mappingId ? { mappingId: scope.mappingId } : {}),
      }),
    ]);
    if (!overview.ok || !jobs.ok) {
      const failed = !overview.ok ? overview.error : !jobs.ok ? jobs.error : null;
      set({ error: failed ? `${failed.code}: ${failed.message}` : 'The queue could not be read.' });
      return;
    }
    const present = new Set(jobs.data.jobs.map((j) => j.id));
    set({
      overview: overview.data,
      jobs: jobs.data.jobs,
      error: null,
      selected: new Set([...get().selected].filter((id) => present.has(id))),
    });
  },
}));

/** Follows the core while the Queue area is open: queue changes, instance health, mappings, reconnects. */
export function followQueue(): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void useQueue.getState().refresh();
    }, 300);
  };
  const offs = [
    api.on('queue:changed', soon),
    api.on('instances:changed', soon),
    api.on('mappings:changed', soon),
    api.onConnection((state) => state === 'connected' && soon()),
  ];
  void useQueue.getState().refresh();
  return () => {
    offs.forEach((off) => off());
    if (timer !== undefined) clearTimeout(timer);
  };
}
