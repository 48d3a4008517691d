import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { OwnerRecord } from './data-dir';
import { browserUrl, planForBusyDataDir } from './data-dir-busy';

const token = 'a'.repeat(64);
const host: OwnerRecord = {
  pid: 1234,
  kind: 'headless',
  url: 'http://127.0.0.1:4680/',
  token,
  startedAtMs: 1,
  hostname: hostname(),
};
const desktop: OwnerRecord = { ...host, pid: 99, kind: 'desktop', url: null, token: null };
const starting: OwnerRecord = { ...host, url: null, token: null };

describe('what each shell does when another Flightdeck owns the data folder', () => {
  it('the desktop app offers to open a running host in the browser', () => {
    expect(planForBusyDataDir({ owner: host }, 'desktop')).toEqual({
      message:
        'Flightdeck is already running on this data folder (pid 1234, http://127.0.0.1:4680/). Open it in your browser?',
      openUrl: `http://127.0.0.1:4680/#token=${token}`,
      exitCode: 0,
    });
  });

  it('the desktop app sends the operator to the other desktop window', () => {
    expect(planForBusyDataDir({ owner: desktop }, 'desktop')).toEqual({
      message:
        'Flightdeck is already running on this data folder (pid 99, the desktop app). Switch to its window, or start with FLIGHTDECK_DATA_DIR set to another folder.',
      openUrl: null,
      exitCode: 1,
    });
  });

  it('the desktop app has nothing to offer while the host has not published its URL, or without a record', () => {
    expect(planForBusyDataDir({ owner: starting }, 'desktop')).toMatchObject({
      message: expect.stringContaining('(pid 1234, headless, still starting). Close it'),
      openUrl: null,
      exitCode: 1,
    });
    expect(planForBusyDataDir({ owner: null }, 'desktop')).toMatchObject({
      message: expect.stringContaining('(another process holds its lock)'),
      openUrl: null,
    });
  });

  it('`npm run serve` refuses, naming the running one, and never prints its token', () => {
    for (const owner of [host, desktop, starting, null]) {
      const plan = planForBusyDataDir({ owner }, 'serve');
      expect(plan).toMatchObject({ openUrl: null, exitCode: 1 });
      expect(plan.message).toMatch(
        /^Flightdeck is already running on this data folder \(.*\)\. Open that, or pass --data-dir\.$/,
      );
      expect(plan.message).not.toContain(token);
    }
    expect(planForBusyDataDir({ owner: host }, 'serve').message).toBe(
      'Flightdeck is already running on this data folder (pid 1234, http://127.0.0.1:4680/). Open that, or pass --data-dir.',
    );
  });

  it('`npm start` falling back to headless points at the running console instead of failing', () => {
    expect(planForBusyDataDir({ owner: host }, 'start')).toEqual({
      message: `Flightdeck is already running on this data folder (pid 1234, http://127.0.0.1:4680/). Open http://127.0.0.1:4680/#token=${token}`,
      openUrl: `http://127.0.0.1:4680/#token=${token}`,
      exitCode: 0,
    });
    expect(planForBusyDataDir({ owner: desktop }, 'start')).toMatchObject({ openUrl: null, exitCode: 1 });
  });

  it('names the machine when the owner runs on another one (a shared folder)', () => {
    const remote = { ...host, hostname: 'not-' + hostname() };
    expect(planForBusyDataDir({ owner: remote }, 'serve').message).toContain(`(pid 1234 on not-${hostname()}, `);
  });
});

describe('browserUrl', () => {
  it('opens a host bound to every interface on loopback, keeps https, and adds the token', () => {
    expect(browserUrl('http://0.0.0.0:4680/', 'tok')).toBe('http://127.0.0.1:4680/#token=tok');
    expect(browserUrl('https://[::]:4680/', 'tok')).toBe('https://[::1]:4680/#token=tok');
    expect(browserUrl('https://console.example:8443/', 'tok')).toBe('https://console.example:8443/#token=tok');
  });

  it('offers nothing but http(s)', () => {
    expect(browserUrl('file:///etc/passwd', 'tok')).toBeNull();
    expect(browserUrl('javascript:alert(1)', 'tok')).toBeNull();
    expect(browserUrl('not a url', 'tok')).toBeNull();
    expect(planForBusyDataDir({ owner: { ...host, url: 'file:///x' } }, 'desktop').openUrl).toBeNull();
  });
});
