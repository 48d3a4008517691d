import { keepPreviousData } from '@tanstack/react-query';
import { create } from 'zustand';
import { HIGH_PRIORITY_MAX, type ApprovalFilter } from '../../../shared/contract';
import { api } from '../../api/client';
import { useCall } from '../../data/calls';

/**
 * The inbox's UI state: the filter, the focused item and the ticked ones. What the core holds
 * (items, counts, views, the expiry notice) is read through the data layer (`useCall`), kept fresh
 * by core events (data/follow-core.ts), and a failed load shows LoadError with Retry.
 */
interface ApprovalsUi {
  filter: ApprovalFilter;
  /** The item the detail pane shows and a/r decide (j/k, a click, Enter, a link). */
  focusedId: number | null;
  /** Ids ticked for a bulk decision (x, Space, the checkboxes). */
  selected: ReadonlySet<number>;
  setFilter(filter: ApprovalFilter): void;
  focus(id: number | null): void;
  toggle(id: number): void;
  setSelected(ids: Iterable<number>): void;
  clearSelection(): void;
}

export const useApprovals = create<ApprovalsUi>((set, get) => ({
  filter: { status: 'open' },
  focusedId: null,
  selected: new Set(),
  setFilter: (filter) => set({ filter, focusedId: null, selected: new Set() }),
  focus: (focusedId) => set({ focusedId }),
  toggle(id) {
    const next = new Set(get().selected);
    if (!next.delete(id)) next.add(id);
    set({ selected: next });
  },
  setSelected: (ids) => set({ selected: new Set(ids) }),
  clearSelection: () => set({ selected: new Set() }),
}));

/** The inbox under the current filter; the last answer stays while a new filter loads. */
export function useInbox() {
  const filter = useApprovals((s) => s.filter);
  return useCall('approvals:list', { filter, limit: 500 }, { placeholderData: keepPreviousData });
}

/** Announces new high-priority items on the desktop (browser Notification API), when allowed. */
function notify(items: { id: number; summary: string; priority: number }[]): void {
  const urgent = items.filter((i) => i.priority <= HIGH_PRIORITY_MAX);
  if (!urgent.length || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const title = urgent.length === 1 ? 'Approval needed' : `${urgent.length} approvals needed`;
  new Notification(title, { body: urgent.map((i) => i.summary).join('\n'), tag: 'flightdeck-approvals' });
}

let notifying = false;
/** Desktop notifications for new urgent items: always on, whatever page is open. Not data: a notice. */
export function followApprovalNotifications(): void {
  if (notifying) return;
  notifying = true;
  api.on('approvals:arrived', ({ items }) => notify(items));
}
