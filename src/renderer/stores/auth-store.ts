import { create } from 'zustand';
import type { CallChannel } from '../../shared/contract';
import { roleAtLeast, type Me } from '../../shared/contract/auth';
import { api, send } from '../api/client';
import { shownAsToast } from '../data/calls';

interface AuthState {
  /** Who this window acts as, and what each channel needs; null until loaded. */
  me: Me | null;
  /** Why the last `auth:me` failed (cleared by the next answer): the Team page shows it with a Retry. */
  failed: Error | null;
  /** Loads `auth:me` once, then again whenever accounts change (a role may have changed). */
  start(): Promise<void>;
  /** Asks `auth:me` again (Retry). */
  reload(): Promise<void>;
}

export const useAuth = create<AuthState>((set, get) => ({
  me: null,
  failed: null,
  async start() {
    // `send` has put a failure in the toasts; the last answer (or none: the core checks every call) stands.
    api.on('auth:changed', () => void get().reload().catch(shownAsToast));
    api.onConnection((state) => {
      if (state === 'connected') void get().reload().catch(shownAsToast);
    });
    await get().reload();
  },
  async reload() {
    try {
      set({ me: await send('auth:me', {}), failed: null });
    } catch (error) {
      set({ failed: error instanceof Error ? error : new Error(String(error)) });
      throw error;
    }
  },
}));

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** Whether the user may make a call, and if not the reason to show beside the disabled control. */
export interface Permission {
  ok: boolean;
  /** `Needs the editor role (you are an operator).` */
  reason?: string;
}

/** The one hook every permission-aware control uses: the core's own table, read through `auth:me`. */
export function useCan(channel: CallChannel): Permission {
  const me = useAuth((s) => s.me);
  return permissionFor(me, channel);
}

export function permissionFor(me: Me | null, channel: CallChannel): Permission {
  // Until `auth:me` answers, nothing is refused here: the core checks every call anyway.
  if (!me) return { ok: true };
  const needed = me.needs[channel];
  if (!needed || roleAtLeast(me.role, needed)) return { ok: true };
  return { ok: false, reason: `Needs the ${needed} role (you are ${article(me.role)} ${me.role}).` };
}
