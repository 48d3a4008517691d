import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../../../shared/contract/auth';

/**
 * Who makes a call, as the core sees it. In team mode a signed-in account (by its session
 * cookie or a personal API token); otherwise the single local operator, who may do everything.
 */
export interface CallUser {
  /** The account's id; null for the local operator (desktop app, a host without team mode, tests). */
  id: number | null;
  /** What the audit log, decisions and comments record (the account name, or the operator name). */
  username: string;
  displayName: string;
  /** For a token: the token's role, never more than its owner's role now. */
  role: Role;
  via: 'local' | 'session' | 'token';
  /** The session or token that carried the call. */
  credentialId: number | null;
  /** When the session or token stops working (epoch ms); null for the local operator. */
  expiresAtMs: number | null;
}

/** The local operator: every permission; the name comes from the operator-name setting. */
export function localOperator(name = 'operator'): CallUser {
  return {
    id: null,
    username: name,
    displayName: name,
    role: 'admin',
    via: 'local',
    credentialId: null,
    expiresAtMs: null,
  };
}

interface Frame {
  user: CallUser;
  /** Cleared when the call has answered: work it left behind (timers) is no longer its caller's. */
  active: boolean;
}

/**
 * Carries the calling user through a handler and everything it awaits, so every area's
 * `ctx.operator()` (the audit actor, decisions, comments, claims) names the real user without
 * each handler passing it along. Only while the call runs: a timer a handler started is not
 * attributed to that caller later.
 */
export function createActorScope() {
  const storage = new AsyncLocalStorage<Frame>();
  return {
    async run<T>(user: CallUser, fn: () => Promise<T> | T): Promise<T> {
      const frame: Frame = { user, active: true };
      try {
        return await storage.run(frame, fn);
      } finally {
        frame.active = false;
      }
    },
    /** The user of the call running now, or undefined (background work, start-up). */
    current(): CallUser | undefined {
      const frame = storage.getStore();
      return frame?.active ? frame.user : undefined;
    },
  };
}

export type ActorScope = ReturnType<typeof createActorScope>;
