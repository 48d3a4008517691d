import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MenuItemConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/result';
import type { Core } from '../core/create-core';
import { STORE_FILE } from '../core/db/store';
import { silentLogger } from '../core/logger';
import { insertExecutions } from '../core/testing/seed-executions';
import { testCore } from '../core/testing/test-core';
import { DesktopActions, type Confirmation } from './desktop-actions';
import { TrayController, type TrayShell } from './tray-controller';
import { trayView, waitingLine } from './tray-state';

const ok = async <T>(pending: Promise<Result<T>>): Promise<T> => {
  const result = await pending;
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.data;
};

/** One gated mapping per summary and one event each: real pending approvals through the pipeline. */
async function seedGates(core: Core, instanceId: string, names: string[]): Promise<void> {
  for (const name of names) {
    const event = `order.${name.toLowerCase().replace(/\W+/g, '-')}`;
    await ok(
      core.call('mappings:create', {
        mapping: { event, name, instanceId, webhookPath: 'orders', priority: 1, requiresApproval: true },
      }),
    );
    await ok(core.call('ingest:emit', { event, payload: { name } }));
  }
}

/** The menu item with this label (prefix), clicked as Electron would. */
function click(menu: MenuItemConstructorOptions[], label: string, checked?: boolean): void {
  const item = menu.find((i) => i.label?.startsWith(label));
  if (!item?.click) throw new Error(`no menu item "${label}" in ${menu.map((i) => i.label).join(', ')}`);
  expect(item.enabled, `${label} is enabled`).not.toBe(false);
  (item.click as (menuItem: { checked?: boolean }) => void)({ checked });
}

describe('tray', () => {
  let t: ReturnType<typeof testCore>;
  let instanceId: string;
  let answers: boolean[];
  let asked: Confirmation[];
  let reported: string[];
  let menu: MenuItemConstructorOptions[];
  let shown: (string | undefined)[];
  let closeToTray: boolean;
  let quit: number;
  let tray: TrayController;
  let actions: DesktopActions;
  let stop: () => void;

  beforeEach(async () => {
    t = testCore({ webhookPost: async () => ({ status: 200, headers: {}, body: '{}' }) });
    const instance = await ok(
      t.core.call('instances:add', {
        name: 'prod',
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'test-key-123456',
        environment: 'prod',
        color: '#2f6fed',
        syncEnabled: false,
      }),
    );
    instanceId = instance.id;
    answers = [];
    asked = [];
    reported = [];
    shown = [];
    closeToTray = false;
    quit = 0;
    menu = [];
    actions = new DesktopActions(
      t.core,
      {
        confirm: async (q) => {
          asked.push(q);
          return answers.shift() ?? false;
        },
        report: (message) => reported.push(message),
      },
      silentLogger,
      () => t.clock.now(),
    );
    const shell: TrayShell = {
      showWindow: (route) => shown.push(route),
      quit: () => quit++,
      closeToTray: () => closeToTray,
      setCloseToTray: (on) => {
        closeToTray = on;
        tray.render();
      },
    };
    tray = new TrayController(t.core, actions, { render: (_view, m) => (menu = m) }, shell, silentLogger, 5);
    stop = tray.start();
    await tray.refresh();
  });
  afterEach(async () => {
    stop();
    await t.cleanup();
  });

  it('counts pending approvals as they arrive and shows them in the icon, tooltip, badge and menu', async () => {
    expect(tray.view()).toMatchObject({ attention: false, badgeCount: 0, tooltip: 'Flightdeck: Nothing waiting' });
    await seedGates(t.core, instanceId, ['Refund A', 'Refund B']);
    await expect.poll(() => tray.view().badgeCount, { timeout: 10_000 }).toBe(2);
    expect(tray.view()).toMatchObject({
      attention: true,
      title: '2',
      tooltip: 'Flightdeck: 2 approvals pending (2 urgent)',
    });
    expect(menu.map((i) => i.label ?? '—')).toContain('Open Approvals Inbox (2)');
  });

  it('approves the oldest after asking, naming it; a "no" decides nothing', async () => {
    await seedGates(t.core, instanceId, ['Refund A']);
    t.clock.advance(60_000);
    await seedGates(t.core, instanceId, ['Refund B']);
    t.clock.advance(5 * 60_000);
    await tray.refresh();

    answers.push(false);
    click(menu, 'Approve Oldest');
    await expect.poll(() => asked.length).toBe(1);
    // The summary is the core's (event and mapping name today); the question quotes it whole.
    expect(asked[0]!.message).toMatch(/^Approve ".*Refund A"\?$/);
    expect(asked[0]!.confirmLabel).toBe('Approve');
    expect(asked[0]!.detail).toMatch(/^Waiting 6 min, priority 1, a run held before dispatch\./);
    expect((await ok(t.core.call('approvals:count', {}))).pending).toBe(2);

    answers.push(true);
    click(menu, 'Approve Oldest');
    await expect.poll(async () => (await ok(t.core.call('approvals:count', {}))).pending).toBe(1);
    const decided = await ok(t.core.call('approvals:list', { filter: { status: 'approved' } }));
    expect(decided.items.map((i) => [i.payload, i.comment])).toEqual([
      [{ name: 'Refund A' }, 'Approved from the tray menu.'],
    ]);
    await expect.poll(() => tray.view().badgeCount).toBe(1);
    expect(reported).toEqual([]);
  });

  it('rejects the oldest with a comment saying where it was rejected', async () => {
    await seedGates(t.core, instanceId, ['Refund A']);
    await tray.refresh();
    answers.push(true);
    click(menu, 'Reject Oldest');
    await expect.poll(() => tray.view().badgeCount).toBe(0);
    const [item] = (await ok(t.core.call('approvals:list', { filter: { status: 'rejected' } }))).items;
    expect(item?.comment).toBe('Rejected from the tray menu (no reason typed).');
    // Nothing left: the items are disabled, and a stray click says so instead of deciding anything.
    expect(menu.find((i) => i.label === 'Reject Oldest…')?.enabled).toBe(false);
    await actions.decideOldest('reject');
    expect(reported).toEqual(['Nothing is waiting for a decision.']);
  });

  it('decides the item it asked about: decided meanwhile is reported, and no other item is decided', async () => {
    await seedGates(t.core, instanceId, ['Refund A', 'Refund B']);
    const oldest = await actions.oldestPending();
    actions = new DesktopActions(
      t.core,
      {
        confirm: async () => {
          // Someone else decides it in the console while the dialog is open.
          await ok(t.core.call('approvals:decide', { id: oldest!.id, decision: 'approve' }));
          return true;
        },
        report: (message) => reported.push(message),
      },
      silentLogger,
    );
    expect(await actions.decideOldest('reject')).toBe('none');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/^Could not reject ".*Refund A": .*already approved/);
    expect((await ok(t.core.call('approvals:count', {}))).pending).toBe(1);
  });

  it('pauses and resumes dispatch on every instance', async () => {
    const other = await ok(
      t.core.call('instances:add', {
        name: 'staging',
        baseUrl: 'http://127.0.0.1:10',
        apiKey: 'test-key-654321',
        environment: 'staging',
        color: '#2f6fed',
        syncEnabled: false,
      }),
    );
    await tray.refresh();
    expect(menu.find((i) => i.label?.startsWith('Resume Dispatch'))?.enabled).toBe(false);
    click(menu, 'Pause Dispatch');
    await expect.poll(() => tray.view().tooltip).toBe('Flightdeck: dispatch paused');
    const paused = (await ok(t.core.call('queue:stats', {}))).pausedInstances;
    expect([...paused].sort()).toEqual([instanceId, other.id].sort());
    expect(menu.find((i) => i.label?.startsWith('Pause Dispatch'))?.enabled).toBe(false);

    click(menu, 'Resume Dispatch (2 paused)');
    await expect.poll(() => tray.view().tooltip).toBe('Flightdeck: Nothing waiting');
    expect((await ok(t.core.call('queue:stats', {}))).pausedInstances).toEqual([]);
  });

  it('opens the window on the inbox or alerts, toggles keep-running, quits', async () => {
    click(menu, 'Open Flightdeck');
    click(menu, 'Open Approvals Inbox');
    click(menu, 'Open Alerts');
    expect(shown).toEqual([undefined, '#/approvals', '#/metrics']);
    click(menu, 'Keep Running When the Window Closes', true);
    expect(closeToTray).toBe(true);
    expect(menu.find((i) => i.label === 'Keep Running When the Window Closes')?.checked).toBe(true);
    click(menu, 'Quit Flightdeck');
    expect(quit).toBe(1);
  });

  it('says why when the counts cannot be read, and keeps only what still works', async () => {
    await t.core.close();
    await tray.refresh();
    expect(tray.view().tooltip).toMatch(/^Flightdeck: Counts unavailable: /);
    expect(menu.find((i) => i.label === 'Approve Oldest…')?.enabled).toBe(false);
    expect(menu.find((i) => i.label === 'Open Flightdeck')?.enabled).toBe(true);
  });
});

describe('tray wording', () => {
  it('says what waits in one line', () => {
    const none = { pending: 0, high: 0, alerts: 0, instances: 2, pausedInstances: 0, recountInMs: null };
    expect(waitingLine(none)).toBe('Nothing waiting');
    expect(waitingLine({ ...none, pending: 1, alerts: 1, pausedInstances: 1 })).toBe(
      '1 approval pending · 1 alert to acknowledge · dispatch paused on 1 instance',
    );
    expect(trayView(null, { closeToTray: false }).tooltip).toBe('Flightdeck: Loading…');
  });
});

describe('tray alert count', () => {
  let t: ReturnType<typeof testCore>;
  let tray: TrayController;
  let actions: DesktopActions;
  let stop: () => void;
  const MIN = 60_000;

  beforeEach(async () => {
    // The metrics loop runs here (every 20 ms of real time) and judges rules on the manual clock.
    t = testCore({ metrics: { pollMs: 20 } });
    actions = new DesktopActions(t.core, { confirm: async () => false, report: () => {} }, silentLogger, () =>
      t.clock.now(),
    );
    const shell: TrayShell = {
      showWindow: () => {},
      quit: () => {},
      closeToTray: () => false,
      setCloseToTray: () => {},
    };
    tray = new TrayController(t.core, actions, { render: () => {} }, shell, silentLogger, 5);
    stop = tray.start();
    await tray.refresh();
  });
  afterEach(async () => {
    stop();
    await t.cleanup();
  });

  it('counts firing alerts nobody acknowledged or silenced; a silence that ends brings its alert back', async () => {
    // Failed runs of two workflows, and a rule on each that breaches at once.
    const db = new Database(join(t.dataDir, STORE_FILE));
    db.pragma('busy_timeout = 5000');
    insertExecutions(db, [
      { status: 'failed', createdAtMs: t.clock.now() - 1_000, durationMs: 10, workflowId: 'wf-orders' },
      { status: 'failed', createdAtMs: t.clock.now() - 1_000, durationMs: 10, workflowId: 'wf-mail' },
    ]);
    db.close();
    for (const [name, workflowId] of [
      ['Orders failing', 'wf-orders'],
      ['Mail failing', 'wf-mail'],
    ] as const) {
      await ok(
        t.core.call('alerts:createRule', {
          rule: {
            name,
            enabled: true,
            cooldownMs: 0,
            instanceId: null,
            workflowId,
            condition: { kind: 'error_rate', thresholdPct: 10, windowMs: 60 * MIN, minRuns: 1 },
          },
        }),
      );
    }
    await expect.poll(() => tray.view().badgeCount, { timeout: 10_000 }).toBe(2);
    expect(tray.view()).toMatchObject({ attention: true, tooltip: 'Flightdeck: 2 alerts to acknowledge' });

    const { alerts } = await ok(t.core.call('alerts:list', { state: 'open', limit: 10 }));
    const [first, second] = alerts;
    await ok(t.core.call('alerts:acknowledge', { id: first!.id }));
    await expect.poll(() => tray.view().badgeCount, { timeout: 10_000 }).toBe(1);
    await ok(t.core.call('alerts:silence', { id: second!.id, forMs: 15 * MIN }));
    await expect.poll(() => tray.view().badgeCount, { timeout: 10_000 }).toBe(0);
    // Both still fire: open in the console, but nothing for the tray to call attention to.
    expect((await ok(t.core.call('alerts:counts', {}))).open).toBe(2);
    expect(tray.view()).toMatchObject({ attention: false, tooltip: 'Flightdeck: Nothing waiting', title: '' });
    // The tray knows when the silence ends, and counts again then.
    expect((await actions.counts()).recountInMs).toBe(15 * MIN);

    t.clock.advance(15 * MIN + 1_000);
    await tray.refresh();
    expect(tray.view()).toMatchObject({ badgeCount: 1, tooltip: 'Flightdeck: 1 alert to acknowledge' });
    expect((await actions.counts()).recountInMs).toBeNull();
  });
});
