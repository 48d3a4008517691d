import { create } from 'zustand';
import { HIGH_PRIORITY_MAX, type Approval, type ApprovalFilter, type CallOutput } from '../../../shared/contract';
import { api, send } from '../../api/client';

type SavedView = CallOutput<'approvals:listViews'>[number];

interface ApprovalsState {
  filter: ApprovalFilter;
  items: Approval[] | null;
  total: number;
  /** Index of the focused row (j/k). */
  cursor: number;
  /** Ids ticked for a bulk decision (x). */
  selected: ReadonlySet<number>;
  count: { pending: number; high: number } | null;
  views: SavedView[];
  expired: Approval[];
  setFilter(filter: ApprovalFilter): void;
  move(delta: number): void;
  setCursor(index: number): void;
  toggle(id: number): void;
  clearSelection(): void;
  load(): Promise<void>;
  loadCount(): Promise<void>;
  loadViews(): Promise<void>;
  loadExpired(): Promise<void>;
}

/** Cache of the inbox; refreshed whenever core announces a change. */
export const useApprovals = create<ApprovalsState>((set, get) => ({
  filter: { status: 'open' },
  items: null,
  total: 0,
  cursor: 0,
  selected: new Set(),
  count: null,
  views: [],
  expired: [],
  setFilter(filter) {
    set({ filter, cursor: 0, selected: new Set() });
    void get()
      .load()
      .catch(() => undefined);
  },
  move(delta) {
    const n = get().items?.length ?? 0;
    if (n) set((s) => ({ cursor: Math.min(n - 1, Math.max(0, s.cursor + delta)) }));
  },
  setCursor: (cursor) => set({ cursor }),
  toggle(id) {
    const next = new Set(get().selected);
    if (!next.delete(id)) next.add(id);
    set({ selected: next });
  },
  clearSelection: () => set({ selected: new Set() }),
  async load() {
    const { items, total } = await send('approvals:list', { filter: get().filter, limit: 500 });
    const ids = new Set(items.map((i) => i.id));
    set((s) => ({
      items,
      total,
      cursor: Math.min(s.cursor, Math.max(0, items.length - 1)),
      selected: new Set([...s.selected].filter((id) => ids.has(id))),
    }));
  },
  async loadCount() {
    set({ count: await send('approvals:count', {}) });
  },
  async loadViews() {
    set({ views: await send('approvals:listViews', {}) });
  },
  async loadExpired() {
    set({ expired: (await send('approvals:expiredNotice', {})).items });
  },
}));

const quietly = (p: Promise<unknown>) => void p.catch(() => undefined);

/** Announces new high-priority items on the desktop (browser Notification API), when allowed. */
function notify(items: { id: number; summary: string; priority: number }[]): void {
  const urgent = items.filter((i) => i.priority <= HIGH_PRIORITY_MAX);
  if (!urgent.length || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const title = urgent.length === 1 ? 'Approval needed' : `${urgent.length} approvals needed`;
  new Notification(title, { body: urgent.map((i) => i.summary).join('\n'), tag: 'flightdeck-approvals' });
}

let followingCount = false;
/** The badge and desktop notifications: always on, whatever page is open. */
export function followApprovalCount(): void {
  if (followingCount) return;
  followingCount = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => quietly(useApprovals.getState().loadCount()), 50);
  };
  api.on('approvals:changed', reload);
  api.on('approvals:arrived', ({ items }) => notify(items));
  quietly(useApprovals.getState().loadCount());
}

let followingInbox = false;
/** The inbox list, saved views and the expiry notice. */
export function followInbox(): void {
  if (followingInbox) return;
  followingInbox = true;
  const s = () => useApprovals.getState();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Bulk decisions announce many changes at once: coalesce them into one reload.
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(() => quietly(s().load()), 50);
  };
  api.on('approvals:changed', reload);
  api.on('approvals:expired', () => quietly(s().loadExpired()));
  api.on('approvals:configChanged', () => quietly(s().loadViews()));
  quietly(s().load());
  quietly(s().loadViews());
  quietly(s().loadExpired());
}
