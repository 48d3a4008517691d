import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flightdeckCli, TEAM_PASSWORD } from './team-console';

// `flightdeck team` and `flightdeck users` on a stopped data folder (the built CLI, passwords
// piped in as a script would). Through a running console: team-permissions.test.ts.

const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-team-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const cli = (args: string[], stdin = '') => flightdeckCli([...args, '--data-dir', dataDir], stdin);

describe('team mode from the command line', () => {
  it('refuses accounts before team mode, and a first admin without a good password', async () => {
    const early = await cli(['users', 'list']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/team mode/i);
    const short = await cli(['team', 'enable', '--admin', 'ana'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const none = await cli(['team', 'enable', '--admin', 'ana']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No password/);
    // Nothing was switched: still no accounts.
    expect((await cli(['users', 'list'])).code).toBe(1);
  });

  it('switches the folder once, then manages accounts', async () => {
    const enabled = await cli(['team', 'enable', '--admin', 'ana'], `${TEAM_PASSWORD}\n`);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toMatch(/Team mode is on .* ana is its first admin/);
    const again = await cli(['team', 'enable', '--admin', 'bob'], `${TEAM_PASSWORD}\n`);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/team mode already/);

    expect((await cli(['users', 'add', 'bob', '--role', 'boss'], `${TEAM_PASSWORD}\n`)).code).toBe(2);
    expect((await cli(['users', 'add', 'bob', '--role', 'viewer'], `${TEAM_PASSWORD}\n`)).code).toBe(0);
    expect((await cli(['users', 'role', 'bob', 'approver'])).code).toBe(0);
    expect((await cli(['users', 'disable', 'bob'])).code).toBe(0);
    // The last enabled admin stays one.
    const lastAdmin = await cli(['users', 'disable', 'ana']);
    expect(lastAdmin.code).toBe(1);

    const listed = await cli(['users', 'list', '--json']);
    expect(listed.code).toBe(0);
    const users = JSON.parse(listed.stdout) as { username: string; role: string; disabled: boolean }[];
    expect(users.map(({ username, role, disabled }) => ({ username, role, disabled }))).toEqual([
      { username: 'ana', role: 'admin', disabled: false },
      { username: 'bob', role: 'approver', disabled: true },
    ]);
    // Never a hash in what the CLI prints.
    expect(listed.stdout).not.toMatch(/scrypt/);
  });
});
