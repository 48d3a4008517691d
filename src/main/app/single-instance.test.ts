import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimSingleInstance, DeepLinkRouter, profileDirFor, type SingleInstanceApp } from './single-instance';

/**
 * Electron's lock between processes, faked as one shared holder: the first app to ask gets it,
 * later ones send their data to the holder (as Chromium's process singleton does) and get false.
 */
function fakeLock() {
  let holder: FakeApp | null = null;
  class FakeApp extends EventEmitter implements SingleInstanceApp {
    constructor(readonly argv: string[]) {
      super();
    }
    requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
      if (!holder) {
        holder = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the process that holds the lock
        return true;
      }
      holder.emit('second-instance', {}, this.argv, '/home/op', additionalData);
      return false;
    }
  }
  return FakeApp;
}

function target() {
  const calls: string[] = [];
  return { calls, focus: () => calls.push('focus'), openLink: (link: string) => calls.push(`open ${link}`) };
}

describe('single instance', () => {
  it('a second launch focuses the first window and hands over its deep link', () => {
    const FakeApp = fakeLock();
    const first = target();
    const firstApp = new FakeApp(['flightdeck']);
    expect(claimSingleInstance(firstApp, firstApp.argv, first)).toEqual({ role: 'primary', initialLink: null });

    const second = target();
    const secondApp = new FakeApp(['flightdeck', 'flightdeck://approvals/7']);
    expect(claimSingleInstance(secondApp, secondApp.argv, second)).toEqual({ role: 'secondary' });
    expect(second.calls).toEqual([]);
    expect(first.calls).toEqual(['focus', 'open flightdeck://approvals/7']);

    // A plain second launch only brings the window forward.
    claimSingleInstance(new FakeApp(['flightdeck']), ['flightdeck'], target());
    expect(first.calls.slice(2)).toEqual(['focus']);
  });

  it('reads the link from the command line when the data carries none (an older launcher)', () => {
    const app = Object.assign(new EventEmitter(), { requestSingleInstanceLock: () => true });
    const t = target();
    claimSingleInstance(app, ['x'], t);
    app.emit('second-instance', {}, ['flightdeck', '--x', 'flightdeck://executions/FD-3'], '/', { other: 1 });
    app.emit('second-instance', {}, ['flightdeck'], '/', null);
    expect(t.calls).toEqual(['focus', 'open flightdeck://executions/FD-3', 'focus']);
  });

  it('the first launch keeps its own link; macOS open-url opens links too', () => {
    const app = Object.assign(new EventEmitter(), { requestSingleInstanceLock: () => true });
    const t = target();
    expect(claimSingleInstance(app, ['flightdeck', 'flightdeck://approvals/1'], t)).toEqual({
      role: 'primary',
      initialLink: 'flightdeck://approvals/1',
    });
    let prevented = false;
    app.emit('open-url', { preventDefault: () => (prevented = true) }, 'flightdeck://approvals/2');
    expect(prevented).toBe(true);
    expect(t.calls).toEqual(['focus', 'open flightdeck://approvals/2']);
  });

  it('gives each data folder its own profile, so the lock is per folder', () => {
    const home = join('/home', 'op', '.config', 'Flightdeck');
    expect(profileDirFor(home, home)).toBeNull();
    expect(profileDirFor(home + '/', home)).toBeNull();
    expect(profileDirFor('/srv/fd', home)).toBe(join('/srv/fd', 'desktop-profile'));
  });
});

describe('deep-link router', () => {
  it('holds the latest link until a window attaches, then navigates directly', () => {
    const refused: string[] = [];
    const router = new DeepLinkRouter((link) => refused.push(link));
    const routes: string[] = [];
    router.open('flightdeck://approvals/1');
    router.open('flightdeck://approvals/2');
    router.open('flightdeck://approvals/x');
    expect(refused).toEqual(['flightdeck://approvals/x']);
    router.attach((route) => routes.push(route));
    expect(routes).toEqual(['#/approvals/2']);
    router.open('flightdeck://executions/9');
    router.go('#/approvals');
    expect(routes).toEqual(['#/approvals/2', '#/executions/FD-9', '#/approvals']);
    router.detach();
    router.open('flightdeck://metrics');
    expect(routes).toHaveLength(3);
    expect(router.takePending()).toBe('#/metrics');
    expect(router.takePending()).toBeNull();
  });
});
