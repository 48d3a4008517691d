import { create } from 'zustand';
import type { FlightdeckApi } from '../../shared/contract';
import type { AppErrorData } from '../../shared/result';

/** Where a failed call came from: what lets its toast clear itself. */
export interface ToastContext {
  channel?: string;
  /** The instance the call was about, when it named one. */
  instanceId?: string;
  /** The area shown when it failed (set by the store from the current route). */
  area?: string;
  /** Stays until dismissed: the operator must do something (e.g. fix a token). */
  sticky?: boolean;
}

/** The context a failed call's toast carries, so it can clear itself when its cause is gone. */
export function toastContextOf(channel: string, input: unknown): ToastContext {
  const args = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const instanceId =
    typeof args.instanceId === 'string'
      ? args.instanceId
      : channel.startsWith('instances:') && typeof args.id === 'string'
        ? args.id
        : undefined;
  return { channel, ...(instanceId ? { instanceId } : {}) };
}

/**
 * How a toast goes away by itself:
 * - `connection`: when this window is connected to the core again;
 * - `instance`: when the instance it was about (or, not knowing which, any instance) is healthy;
 * - `area`: when the operator leaves the area it was raised in (a NOT_FOUND there means nothing elsewhere);
 * - `timer`: after TOAST_MS;
 * - `sticky`: only when dismissed.
 */
export type ClearsWhen = 'connection' | 'instance' | 'area' | 'timer' | 'sticky';

export interface ShownError extends AppErrorData {
  id: number;
  atMs: number;
  clearsWhen: ClearsWhen;
  context: ToastContext;
  /** How many times the same problem was reported while shown. */
  repeats: number;
}

/** How long a plain notice stays. */
export const TOAST_MS = 8000;
const MAX_SHOWN = 5;

const N8N_DOWN = new Set(['N8N_UNREACHABLE', 'N8N_RATE_LIMITED']);
const PAGE_BOUND = new Set(['NOT_FOUND', 'N8N_NOT_FOUND', 'VALIDATION', 'CONFLICT']);

export function clearsWhenFor(error: AppErrorData, context: ToastContext): ClearsWhen {
  if (context.sticky) return 'sticky';
  // The transport's own problems (no channel): the connection coming back answers them.
  if (!context.channel && (error.code === 'UNAVAILABLE' || error.code === 'RATE_LIMITED')) return 'connection';
  if (N8N_DOWN.has(error.code)) return 'instance';
  if (PAGE_BOUND.has(error.code) && context.area) return 'area';
  return 'timer';
}

interface ErrorsState {
  errors: ShownError[];
  report(error: AppErrorData, context?: ToastContext): void;
  dismiss(id: number): void;
  /** Holds a toast's timer while the pointer or focus is on it (it is being read). */
  hold(id: number, held: boolean): void;
  /** The condition behind some toasts is gone: drop them. */
  resolved(condition: { connection: true } | { instanceId: string } | { area: string }): void;
}

let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();
/** The current area, given by the shell (the store does not import the router). */
let currentArea: string | undefined;
export const setToastArea = (area: string) => {
  currentArea = area;
  useErrors.getState().resolved({ area });
};

/** The one place errors and notices appear: newest first, at most five, each clearing itself. */
export const useErrors = create<ErrorsState>((set, get) => {
  const drop = (ids: number[]) => {
    for (const id of ids) {
      clearTimeout(timers.get(id));
      timers.delete(id);
    }
    if (ids.length > 0) set((s) => ({ errors: s.errors.filter((e) => !ids.includes(e.id)) }));
  };
  const arm = (toast: ShownError) => {
    clearTimeout(timers.get(toast.id));
    if (toast.clearsWhen === 'timer' || toast.clearsWhen === 'area')
      timers.set(
        toast.id,
        setTimeout(() => drop([toast.id]), TOAST_MS),
      );
  };
  return {
    errors: [],
    report(error, given = {}) {
      const context = { ...given, ...(given.area || !currentArea ? {} : { area: currentArea }) };
      const same = get().errors.find((e) => e.code === error.code && e.message === error.message);
      if (same) {
        // The same problem again: one toast, counted and freshly timed, not a stack of copies.
        const again = { ...same, atMs: Date.now(), repeats: same.repeats + 1 };
        set((s) => ({ errors: [again, ...s.errors.filter((e) => e.id !== same.id)] }));
        arm(again);
        return;
      }
      const toast: ShownError = {
        ...error,
        id: nextId++,
        atMs: Date.now(),
        clearsWhen: clearsWhenFor(error, context),
        context,
        repeats: 0,
      };
      const kept = get().errors.slice(0, MAX_SHOWN - 1);
      drop(
        get()
          .errors.slice(MAX_SHOWN - 1)
          .map((e) => e.id),
      );
      set({ errors: [toast, ...kept] });
      arm(toast);
    },
    dismiss: (id) => drop([id]),
    hold(id, held) {
      const toast = get().errors.find((e) => e.id === id);
      if (!toast) return;
      if (held) clearTimeout(timers.get(id));
      else arm(toast);
    },
    resolved(condition) {
      const gone = get().errors.filter((e) => {
        if ('connection' in condition) return e.clearsWhen === 'connection';
        if ('instanceId' in condition)
          return (
            e.clearsWhen === 'instance' && (!e.context.instanceId || e.context.instanceId === condition.instanceId)
          );
        return e.clearsWhen === 'area' && e.context.area !== condition.area;
      });
      drop(gone.map((e) => e.id));
    },
  };
});

/** How often an "n8n does not answer" toast asks whether that n8n answers again. */
export const RECHECK_MS = 5000;

/**
 * Follows what resolves toasts: the connection coming back, an instance turning healthy (its
 * health event; and, while such a toast is shown, a light `instances:test` every few seconds,
 * since the call that failed may not have been a signal the health monitor saw).
 */
export function followToastConditions(api: Pick<FlightdeckApi, 'on' | 'onConnection' | 'call'>): () => void {
  const offConnection = api.onConnection((state) => {
    if (state === 'connected') useErrors.getState().resolved({ connection: true });
  });
  const offInstances = api.on('instances:changed', (instance) => {
    if (instance.health.state === 'up') useErrors.getState().resolved({ instanceId: instance.id });
  });
  const checking = new Set<string>();
  const recheck = async () => {
    const ids = new Set(
      useErrors
        .getState()
        .errors.filter((e) => e.clearsWhen === 'instance' && e.context.instanceId)
        .map((e) => e.context.instanceId as string),
    );
    for (const id of ids) {
      if (checking.has(id)) continue;
      checking.add(id);
      const result = await api.call('instances:test', { id }).finally(() => checking.delete(id));
      if (result.ok && result.data.healthy) useErrors.getState().resolved({ instanceId: id });
    }
  };
  const timer = setInterval(() => void recheck(), RECHECK_MS);
  return () => {
    offConnection();
    offInstances();
    clearInterval(timer);
  };
}
