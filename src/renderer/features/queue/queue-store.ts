import { create } from 'zustand';
import type { QueueJobState } from '../../../shared/contract';
import { refetchChannel, useCall } from '../../data/calls';

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

/** The Queue area's UI state (zustand holds no core data: the lists come from `useQueueData`). */
interface QueueState {
  scope: Scope;
  /** The job under the table's cursor (j/k, ↑/↓): what r and c act on when nothing is selected. */
  focusedId: number | null;
  selected: Set<number>;
  setScope(patch: Partial<Scope>): void;
  setFocused(id: number | null): void;
  toggle(id: number): void;
  clearSelection(): void;
}

export const useQueue = create<QueueState>((set, get) => ({
  scope: { view: 'waiting', instanceId: null, mappingId: null },
  focusedId: null,
  selected: new Set(),
  setScope(patch) {
    set({ scope: { ...get().scope, ...patch }, focusedId: null, selected: new Set() });
  },
  setFocused: (focusedId) => set({ focusedId }),
  toggle(id) {
    const selected = new Set(get().selected);
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    set({ selected });
  },
  clearSelection: () => set({ selected: new Set() }),
}));

/**
 * The overview and the jobs of the current scope, through the data layer: kept fresh by core
 * events (queue, mappings and instance changes mark `queue:` stale), refetched on reconnect.
 */
export function useQueueData() {
  const scope = useQueue((s) => s.scope);
  const view = VIEWS.find((v) => v.id === scope.view) ?? VIEWS[0];
  const overview = useCall('queue:overview', {});
  const jobs = useCall('queue:jobs', {
    states: [...view.states],
    limit: 200,
    ...(scope.instanceId ? { instanceId: scope.instanceId } : {}),
    ...(scope.mappingId ? { mappingId: scope.mappingId } : {}),
  });
  return { overview, jobs, scope };
}

/** Refetches the Queue area now (after an action, without waiting for the core's event). */
export const refreshQueue = () => refetchChannel('queue:overview').then(() => refetchChannel('queue:jobs'));
