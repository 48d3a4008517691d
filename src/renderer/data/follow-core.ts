import type { QueryClient } from '@tanstack/react-query';
import type { EventChannel, FlightdeckApi } from '../../shared/contract';
import { EVENT_CHANNELS } from '../../shared/contract/channels';

/** Every query: what a restore or a reconnect makes stale. */
const EVERYTHING = '*';

/**
 * Which queries (by channel prefix) each core event makes stale. Typed over every event, so a new
 * event does not compile until someone decides what it invalidates ([] when it carries its own
 * data, such as progress).
 */
export const INVALIDATES: Record<EventChannel, readonly string[]> = {
  'settings:changed': ['settings:'],
  'audit:appended': ['audit:'],
  'mappings:changed': ['mappings:', 'queue:', 'pickers:'],
  'queue:changed': ['queue:'],
  'executions:changed': ['executions:', 'runs:', 'pickers:'],
  'executions:synced': ['executions:', 'runs:', 'workflows:'],
  // Carries its rows: the Executions list places them itself (executions:changed already invalidates).
  'executions:rows': [],
  'schedules:changed': ['schedules:'],
  'schedules:tick': ['schedules:'],
  'metrics:updated': ['metrics:'],
  'alerts:fired': ['alerts:'],
  'alerts:resolved': ['alerts:'],
  'alerts:changed': ['alerts:'],
  // Prefixes match whole channels too: only the notifier's own views.
  'alerts:outboxChanged': ['alerts:getNotifier', 'alerts:outbox'],
  'monitoring:event': ['monitoring:'],
  'instances:changed': ['instances:', 'pickers:', 'queue:'],
  'instances:removed': ['instances:', 'workflows:', 'executions:', 'pickers:'],
  'workflows:changed': ['workflows:', 'pickers:'],
  'runs:bulkProgress': [],
  'approvals:changed': ['approvals:'],
  'approvals:arrived': ['approvals:'],
  'approvals:expired': ['approvals:'],
  'approvals:configChanged': ['approvals:'],
  'drafts:changed': ['drafts:'],
  'promotions:changed': ['promotions:', 'workflows:'],
  // Plans use the variables: the plan's queries too.
  'promotions:variablesChanged': ['promotions:'],
  'backups:progress': [],
  'backups:changed': ['backups:'],
  'backups:restored': [EVERYTHING],
  // Accounts, sessions and tokens (team mode); the team pages and the auth store follow it themselves.
  'auth:changed': ['auth:'],
};

/** Invalidates queries whose channel (the key's first element) starts with `prefix`. */
export function invalidatePrefix(client: QueryClient, prefix: string): Promise<void> {
  if (prefix === EVERYTHING) return client.invalidateQueries();
  return client.invalidateQueries({
    predicate: (query) => typeof query.queryKey[0] === 'string' && query.queryKey[0].startsWith(prefix),
  });
}

export interface FollowOptions {
  /**
   * At most one invalidation per prefix in this window: the first event refetches at once, a
   * burst after it (ticks every second, queue counts four times a second) refetches once more
   * at the end. This replaces each store's hand-written debouncer.
   */
  throttleMs?: number;
}

/**
 * Keeps the query cache a cache of the core: each event marks what it changed as stale (active
 * queries refetch, inactive ones refetch when next shown), and a reconnect after an outage
 * refetches everything, since events sent while disconnected were lost. Returns the unsubscribe.
 */
export function followCore(api: FlightdeckApi, client: QueryClient, options: FollowOptions = {}): () => void {
  const throttleMs = options.throttleMs ?? 1000;
  const lastRun = new Map<string, number>();
  const trailing = new Map<string, ReturnType<typeof setTimeout>>();

  const invalidate = (prefix: string) => {
    if (trailing.has(prefix)) return; // One is already due at the end of the window.
    const wait = (lastRun.get(prefix) ?? -Infinity) + throttleMs - Date.now();
    const run = () => {
      trailing.delete(prefix);
      lastRun.set(prefix, Date.now());
      void invalidatePrefix(client, prefix);
    };
    if (wait <= 0) run();
    else trailing.set(prefix, setTimeout(run, wait));
  };

  const offs = (EVENT_CHANNELS as readonly EventChannel[]).map((event) =>
    api.on(event, () => {
      for (const prefix of INVALIDATES[event]) invalidate(prefix);
    }),
  );
  // The transport goes disconnected → connecting (maybe many times) → connected.
  let lost = false;
  offs.push(
    api.onConnection((state) => {
      if (state === 'disconnected') lost = true;
      else if (state === 'connected' && lost) {
        lost = false;
        void invalidatePrefix(client, EVERYTHING);
      }
    }),
  );
  return () => {
    for (const off of offs) off();
    for (const timer of trailing.values()) clearTimeout(timer);
    trailing.clear();
  };
}

/** The frame clock `perFrame` waits on; tests pass their own. */
export interface FrameClock {
  request(callback: () => void): unknown;
}
const browserFrames: FrameClock = { request: (callback) => requestAnimationFrame(() => callback()) };

/**
 * For views that take their data straight from an event (the Executions list's pushed rows):
 * applies at most once per animation frame, and at once when nothing was applied in the current
 * frame. So one event a frame shows with no wait at all (no timer), and a burst of many events
 * in one frame is one render at the next frame, with every item of the burst. Returns `push`
 * and `dispose` (drops what is still waiting).
 */
export function perFrame<T>(
  apply: (batch: T[]) => void,
  frames: FrameClock = browserFrames,
): { push(items: readonly T[]): void; dispose(): void } {
  let waiting: T[] = [];
  let frameBusy = false;
  let disposed = false;
  const onFrame = () => {
    if (disposed) return;
    if (waiting.length === 0) {
      frameBusy = false;
      return;
    }
    const batch = waiting;
    waiting = [];
    apply(batch);
    frames.request(onFrame);
  };
  return {
    push(items) {
      if (disposed || items.length === 0) return;
      if (frameBusy) {
        waiting.push(...items);
        return;
      }
      frameBusy = true;
      apply([...items]);
      frames.request(onFrame);
    },
    dispose() {
      disposed = true;
      waiting = [];
    },
  };
}
