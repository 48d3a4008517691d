import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast, type Role } from '../../src/shared/contract/auth';
import { launchChromium, startConsole, type ConsoleProcess } from './console';
import { blockingViolations } from './axe';
import { failCalls } from './failing-calls';
import { enableTeamMode, sessionOf, teamSocket, TEAM_PASSWORD, type TeamSocket } from './team-console';

// Team mode in Chromium: the sign-in page, each role's console (controls it may not use are
// disabled and say which role they need), the admin's Team page, and logging out.

const dataDir = mkdtempSync(join(tmpdir(), 'flightdeck-team-ui-'));
let browser: Browser;
let app: ConsoleProcess;
let base: string;
let boss: TeamSocket;

const article = (role: string) => (/^[aeiou]/.test(role) ? 'an' : 'a');

beforeAll(async () => {
  await enableTeamMode(dataDir, 'boss');
  [browser, app] = await Promise.all([launchChromium(), startConsole({ dataDir })]);
  base = new URL(app.url).origin;
  boss = await teamSocket(base, { cookie: await sessionOf(base, 'boss') });
  for (const role of ROLES.filter((r) => r !== 'admin' && r !== 'editor')) {
    const added = await boss.call('auth:addUser', { username: `${role}-ui`, role, password: TEAM_PASSWORD });
    expect(added, role).toMatchObject({ ok: true });
  }
}, 120_000);

afterAll(async () => {
  boss?.ws.terminate();
  await browser?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh browser profile (no cookie) that signs in through the page and waits for the console. */
async function signInPage(
  username: string,
  password = TEAM_PASSWORD,
  context?: Awaited<ReturnType<Browser['newContext']>>,
): Promise<Page> {
  const page = await (context ?? (await browser.newContext())).newPage();
  await page.goto(base);
  await page.waitForURL(/\/login$/);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-app-state="ready"]').waitFor();
  return page;
}

describe('team mode in the browser', () => {
  it('sends a browser without a session to sign in, and says why a sign-in failed', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForURL(/\/login$/);
    await page.getByTestId('login-username').fill('boss');
    await page.getByTestId('login-password').fill('not the password at all');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('Wrong username or password.');
    // Script on the page cannot read the session cookie (HttpOnly); none exists yet anyway.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await context.close();
  });

  it('lets an admin add a person from the Team page', async () => {
    const page = await signInPage('boss');
    expect(await page.getByTestId('current-user').textContent()).toBe('boss');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await page.getByTestId('nav-team').click();
    await page.getByTestId('users-panel').waitFor();
    await page.getByTestId('add-user-name').fill('editor-ui');
    await page.getByTestId('add-user-role').selectOption('editor');
    await page.getByTestId('add-user-password').fill(TEAM_PASSWORD);
    await page.getByTestId('add-user-submit').click();
    await page.getByTestId('user-editor-ui').waitFor();
    expect(await page.getByTestId('user-editor-ui').textContent()).toContain('editor');
    await page.context().close();
  });

  for (const role of ROLES) {
    it(`shows ${article(role)} ${role} what the role may do, and disables the rest with the reason`, async () => {
      const page = await signInPage(role === 'admin' ? 'boss' : `${role}-ui`);
      await expect.poll(() => page.locator('.user-menu .role-tag').textContent()).toBe(role);

      const expectControl = async (testId: string, needs: Role) => {
        const control = page.getByTestId(testId);
        await control.waitFor();
        if (roleAtLeast(role, needs)) {
          await expect.poll(() => control.isEnabled(), { timeout: 10_000 }).toBe(true);
        } else {
          await expect.poll(() => control.isDisabled(), { timeout: 10_000 }).toBe(true);
          expect(await control.getAttribute('title')).toBe(
            `Needs the ${needs} role (you are ${article(role)} ${role}).`,
          );
        }
      };
      await page.getByTestId('nav-instances').click();
      await expectControl('add-instance', 'admin');
      await page.getByTestId('nav-mappings').click();
      await expectControl('m-new', 'editor');
      if (!roleAtLeast(role, 'editor')) {
        expect(await page.getByTestId('role-note').textContent()).toContain('needs the editor role');
      }

      await page.getByTestId('nav-team').click();
      await page.getByTestId('tokens-panel').waitFor();
      if (role === 'admin') await page.getByTestId('users-panel').waitFor();
      else {
        await page.getByTestId('users-hidden').waitFor();
        expect(await page.getByTestId('users-panel').count()).toBe(0);
      }
      await page.context().close();
    });
  }

  it('keeps four eyes in the inbox: the requester sees why they cannot approve, another approver can', async () => {
    const instance = await boss.call('instances:add', {
      name: 'dev',
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'team-ui-key-1234',
      environment: 'dev',
      color: '#2f6fed',
      syncEnabled: false,
    });
    expect(instance.ok).toBe(true);
    const mapping = await boss.call('mappings:create', {
      mapping: {
        event: 'refund.requested',
        instanceId: (instance as { data: { id: string } }).data.id,
        webhookPath: 'refund',
        requiresApproval: true,
        approvalPolicy: { approvers: 1, requesterMayApprove: false },
      },
    });
    expect(mapping.ok).toBe(true);
    const requester = await teamSocket(base, { cookie: await sessionOf(base, 'approver-ui') });
    expect(await requester.call('ingest:emit', { event: 'refund.requested', payload: { amount: 40 } })).toMatchObject({
      ok: true,
    });
    requester.ws.terminate();

    const own = await signInPage('approver-ui');
    await own.getByTestId('nav-approvals').click();
    await expect.poll(() => own.getByTestId('approval-row').count()).toBe(1);
    await expect
      .poll(() => own.getByTestId('detail-quorum').textContent())
      .toMatch(/Requested by approver-ui, who cannot approve it/);
    expect(await own.getByTestId('detail-approve').isDisabled()).toBe(true);
    expect(await own.getByTestId('detail-approve').getAttribute('title')).toMatch(/You asked for this run/);
    expect(await own.getByTestId('detail-reject').isEnabled()).toBe(true);
    await own.context().close();

    const other = await signInPage('editor-ui');
    await other.getByTestId('nav-approvals').click();
    await expect.poll(() => other.getByTestId('approval-row').count()).toBe(1);
    await expect.poll(() => other.getByTestId('detail-approve').isEnabled()).toBe(true);
    await other.getByTestId('detail-approve').click();
    await expect.poll(() => other.getByTestId('approval-row').count()).toBe(0);
    await other.context().close();
  });

  it('says what failed on the Team page, with a Retry, and what to do when an action is refused', async () => {
    const context = await browser.newContext();
    const failing = await failCalls(context);
    const page = await signInPage('boss', TEAM_PASSWORD, context);
    failing.set('auth:listUsers', { code: 'INTERNAL', message: 'The accounts could not be read.', retryable: false });
    failing.set('auth:sessions', { code: 'INTERNAL', message: 'The sessions could not be read.', retryable: false });
    await page.getByTestId('nav-team').click();
    const users = page.getByTestId('users-panel');
    await expect
      .poll(() => users.getByTestId('load-error').textContent())
      .toBe('Could not load the users. The accounts could not be read.Retry');
    await expect
      .poll(() => page.getByTestId('load-error').first().textContent())
      .toBe('Could not load your sessions. The sessions could not be read.Retry');
    expect(await page.getByTestId('users-table').count()).toBe(0);
    // The Team page (not in the a11y tour: team mode only), failures shown, passes axe in both themes.
    for (const theme of ['dark', 'light'] as const) {
      expect(await boss.call('settings:update', { patch: { theme } })).toMatchObject({ ok: true });
      await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe(theme);
      expect(await blockingViolations(page), theme).toEqual([]);
    }

    // The core answers again: Retry shows the list.
    failing.clear();
    await users.getByTestId('load-retry').click();
    await page.getByTestId('user-boss').waitFor();

    // A refused action is a toast in the core's words, and the form keeps what was typed.
    await page.getByTestId('add-user-name').fill('BOSS');
    await page.getByTestId('add-user-password').fill(TEAM_PASSWORD);
    await page.getByTestId('add-user-submit').click();
    await expect
      .poll(() => page.getByTestId('toast').allTextContents())
      .toContainEqual(expect.stringContaining('A user named BOSS exists already'));
    expect(await page.getByTestId('add-user-name').inputValue()).toBe('BOSS');

    // The last admin cannot be demoted: the toast says what to do, the select shows the stored role.
    await page.getByLabel('Role of boss').selectOption('viewer');
    await expect
      .poll(() => page.getByTestId('toast').allTextContents())
      .toContainEqual(expect.stringContaining('make someone else admin first'));
    await expect.poll(() => page.getByLabel('Role of boss').inputValue()).toBe('admin');

    // A password reset that fails says so inside its dialog (a toast would sit behind it).
    failing.set('auth:resetPassword', { code: 'INTERNAL', message: 'The disk is full.', retryable: false });
    await page.getByTestId('user-viewer-ui').getByRole('button', { name: 'Reset password' }).click();
    await page.getByTestId('confirm-dialog').locator('input[type=password]').fill('another long password');
    await page.getByTestId('confirm-ok').click();
    await expect
      .poll(() => page.getByTestId('reset-password-error').textContent())
      .toBe('The password was not changed: The disk is full.');
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel' }).click();

    // "Log out everywhere" that did not happen does not pretend it did: still signed in, told why.
    failing.set('auth:logoutEverywhere', { code: 'UNAVAILABLE', message: 'The core did not answer.', retryable: true });
    await page.getByTestId('team-log-out-everywhere').click();
    await expect
      .poll(() => page.getByTestId('toast').allTextContents())
      .toContainEqual(
        expect.stringContaining(
          'Your sessions were not ended: The core did not answer. You are still signed in everywhere; try again.',
        ),
      );
    await expect.poll(() => page.getByTestId('team-log-out-everywhere').isEnabled()).toBe(true);
    expect(page.url()).not.toMatch(/\/login$/);

    // A plain log out the host did not answer: still signed in, and told so (not a dead sign-in page).
    await page.route('**/auth/logout', (route) => route.abort());
    await page.getByTestId('user-menu').locator('summary').click();
    await page.getByTestId('log-out').click();
    await expect
      .poll(() => page.getByTestId('toast').allTextContents())
      .toContainEqual(expect.stringContaining('You are still signed in: the console’s host did not answer.'));
    expect(page.url()).not.toMatch(/\/login$/);
    await page.unroute('**/auth/logout');

    // Who this window is could not be read: the Team page says so with a Retry, not "Loading…" forever.
    failing.set('auth:me', { code: 'INTERNAL', message: 'The session table could not be read.', retryable: false });
    await page.reload();
    await expect
      .poll(() => page.getByTestId('load-error').textContent())
      .toBe('Could not load who you are signed in as. The session table could not be read.Retry');
    failing.clear();
    await page.getByTestId('load-retry').click();
    await expect.poll(() => page.getByTestId('team-me').textContent()).toBe('boss');
    await context.close();
  });

  it('logs out: back to sign-in, and the console stays closed to that browser', async () => {
    const page = await signInPage('viewer-ui');
    await page.getByTestId('user-menu').locator('summary').click();
    await page.getByTestId('log-out').click();
    // The page goes to /login itself, and again when its WebSocket is closed as signed out: poll
    // the address rather than wait for one navigation (the second may abort the first).
    await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/\/login$/);
    await page.getByTestId('login-username').waitFor();
    await page.goto(base);
    await page.waitForURL(/\/login$/);
    await page.context().close();
  });

  it('sends an open console to sign-in when an admin ends its sessions', async () => {
    const page = await signInPage('operator-ui');
    const users = await boss.call('auth:listUsers', {});
    const id = users.ok
      ? (users.data as { users: { id: number; username: string }[] }).users.find((u) => u.username === 'operator-ui')
          ?.id
      : undefined;
    expect(id).toBeDefined();
    expect(await boss.call('auth:endSessions', { id })).toMatchObject({ ok: true });
    await expect.poll(() => page.url(), { timeout: 20_000 }).toMatch(/\/login$/);
    await page.getByTestId('login-username').waitFor();
    await page.context().close();
  });
});
