import type { CallChannel, CallInput, CallOutput } from '../../../shared/contract';
import type { Role } from '../../../shared/contract/auth';
import type { Result } from '../../../shared/result';
import type { CallUser } from '../auth/actor';
import type { ScryptCost } from '../auth/passwords';
import type { CoreOptions } from '../create-core';
import { testCore } from './test-core';

/** scrypt at its lowest accepted cost: the same code path, fast enough for many sign-ins in a test. */
export const FAST_COST: ScryptCost = { ln: 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

export interface TeamMember {
  username: string;
  role: Role;
  /** The session cookie's secret of a sign-in. */
  secret: string;
  /** The caller as the WebSocket transport resolves it now. */
  user(): CallUser;
  /** A contract call as this person, through `invoke` as the WebSocket transport makes it. */
  call<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>>;
}

/**
 * A core in team mode on a real temp store (manual clock), with an admin `boss`, and people of
 * any role signed in on demand.
 */
export async function teamCore(options: Partial<CoreOptions> = {}) {
  const t = testCore({ auth: { passwordCost: FAST_COST }, ...options });
  const auth = t.core.auth!;
  await auth.enableTeamMode({ username: 'boss', password: PASSWORD }, 'cli:test');

  async function signIn(username: string): Promise<TeamMember> {
    const outcome = await auth.login({ username, password: PASSWORD, address: '127.0.0.1' });
    if (outcome.kind !== 'ok') throw new Error(`${username} could not sign in: ${outcome.message}`);
    const user = () => {
      const resolved = auth.resolve({ kind: 'session', secret: outcome.secret });
      if (!resolved) throw new Error(`${username}'s session ended`);
      return resolved;
    };
    return {
      username,
      role: outcome.user.role,
      secret: outcome.secret,
      user,
      call: (channel, input) => t.core.invoke(channel, input, { transport: 'ws', user: user() }) as never,
    };
  }

  /** Adds an account of `role` (as boss) and signs it in. */
  async function member(username: string, role: Role): Promise<TeamMember> {
    await auth.addUser({ username, displayName: '', role, password: PASSWORD }, 'boss');
    return signIn(username);
  }

  return { ...t, auth, signIn, member, boss: await signIn('boss') };
}
