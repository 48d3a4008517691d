import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_CHANNELS, type CallChannel } from '../../../shared/contract';
import { ROLES, roleAtLeast, type Role } from '../../../shared/contract/auth';
import { testCore } from '../testing/test-core';
import { localOperator, type CallUser } from './actor';
import { PERMISSIONS } from './permissions';

// The table is total by its type; these tests prove `invoke` applies it, for every channel and
// every role, before anything of the argument is read. (Over the built host's WebSocket with real
// sessions: tests/e2e/team-permissions.test.ts.)

const userOf = (role: Role): CallUser => ({
  ...localOperator(),
  id: 1,
  username: `a-${role}`,
  role,
  via: 'session',
  credentialId: 1,
});
let t: ReturnType<typeof testCore>;
beforeAll(() => {
  t = testCore();
});
afterAll(() => t.cleanup());

describe('the permission table', () => {
  it('names a role for exactly the channels of the contract', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...CALL_CHANNELS].sort());
  });

  it('keeps user management and settings for admins, and reads for everyone', () => {
    for (const channel of [
      'auth:addUser',
      'auth:updateUser',
      'settings:update',
      'backups:restore',
      'instances:add',
    ] as const) {
      expect(PERMISSIONS[channel]).toBe('admin');
    }
    expect(PERMISSIONS['approvals:decide']).toBe('approver');
    expect(PERMISSIONS['runs:retry']).toBe('operator');
    expect(PERMISSIONS['drafts:push']).toBe('editor');
    expect(PERMISSIONS['executions:list']).toBe('viewer');
  });

  for (const role of ROLES) {
    it(`refuses every channel above ${role} with FORBIDDEN naming the role, and lets the others through`, async () => {
      const audited = async () => {
        const page = await t.core.call('audit:list', { limit: 500 });
        return page.ok ? page.data.entries.length : -1;
      };
      const before = await audited();
      for (const channel of CALL_CHANNELS as readonly CallChannel[]) {
        const needed = PERMISSIONS[channel];
        // A string is never a valid argument: a channel that passes the check stops at VALIDATION,
        // so no handler runs here whatever the role.
        const result = await t.core.invoke(channel, 'not an argument', { transport: 'ws', user: userOf(role) });
        expect(result.ok, channel).toBe(false);
        if (result.ok) continue;
        if (roleAtLeast(role, needed)) expect(result.error.code, channel).not.toBe('FORBIDDEN');
        else {
          expect(result.error, channel).toMatchObject({
            code: 'FORBIDDEN',
            retryable: false,
            details: { needs: needed, role },
          });
          expect(result.error.message).toBe(
            `${channel} needs the ${needed} role (you are ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}).`,
          );
        }
      }
      // Nothing ran: nothing was recorded.
      expect(await audited()).toBe(before);
    });
  }

  it('refuses before the argument limits: a forbidden caller learns nothing about the argument', async () => {
    const huge = { patch: { operatorName: 'x'.repeat(2_000_000) } };
    expect(await t.core.invoke('settings:update', huge, { transport: 'ws', user: userOf('viewer') })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
  });
});
