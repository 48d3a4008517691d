import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../core/logger';
import { parseUpdateFeed, startUpdateChecks, type UpdateFeed, type UpdaterLike } from './updates';

describe('update feed', () => {
  it('reads github:owner/repo and https URLs; off when empty', () => {
    expect(parseUpdateFeed('github:acme/flightdeck')).toEqual({
      feed: { provider: 'github', owner: 'acme', repo: 'flightdeck' },
    });
    expect(parseUpdateFeed(' https://updates.example.com/flightdeck/ ')).toEqual({
      feed: { provider: 'generic', url: 'https://updates.example.com/flightdeck/' },
    });
    expect(parseUpdateFeed('http://127.0.0.1:8080/')).toEqual({
      feed: { provider: 'generic', url: 'http://127.0.0.1:8080/' },
    });
    expect(parseUpdateFeed(undefined)).toEqual({ feed: null });
    expect(parseUpdateFeed('off')).toEqual({ feed: null });
  });

  it('refuses plain http, credentials in the URL and bad repository names', () => {
    expect(parseUpdateFeed('http://updates.example.com/')).toEqual({ error: expect.stringContaining('https') });
    expect(parseUpdateFeed('https://me:secret@updates.example.com/')).toEqual({
      error: expect.stringContaining('credentials'),
    });
    expect(parseUpdateFeed('github:acme/flight deck')).toHaveProperty('error');
    expect(parseUpdateFeed('github:acme')).toHaveProperty('error');
    expect(parseUpdateFeed('ftp://x')).toHaveProperty('error');
  });
});

class FakeUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  logger: unknown = console;
  feed: UpdateFeed | null = null;
  checks = 0;
  fail = false;
  setFeedURL(options: UpdateFeed) {
    this.feed = options;
  }
  async checkForUpdates() {
    this.checks++;
    if (this.fail) throw new Error('getaddrinfo ENOTFOUND updates.example.com');
    return { updateInfo: { version: '0.2.0' } };
  }
}

describe('update checks', () => {
  const lines: string[] = [];
  const logger = createLogger({ write: (line) => lines.push(line) });
  const feed: UpdateFeed = { provider: 'generic', url: 'https://updates.example.com/' };
  beforeEach(() => {
    lines.length = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('are off without a feed, and from a source checkout', async () => {
    const load = vi.fn(async () => new FakeUpdater());
    const none = startUpdateChecks({ feed: null, isPackaged: true, loadUpdater: load, logger });
    expect(none.state()).toBe('off');
    expect(await none.checkNow()).toMatch(/No update feed/);
    const source = startUpdateChecks({ feed, isPackaged: false, loadUpdater: load, logger });
    expect(await source.checkNow()).toMatch(/source checkout/);
    await vi.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(load).not.toHaveBeenCalled();
  });

  it('wait before the first check, then check on a period against the configured feed', async () => {
    const updater = new FakeUpdater();
    const downloaded: string[] = [];
    const checks = startUpdateChecks({
      feed,
      isPackaged: true,
      loadUpdater: async () => updater,
      logger,
      onDownloaded: (v) => downloaded.push(v),
      firstCheckAfterMs: 1_000,
      everyMs: 60_000,
    });
    expect(checks.state()).toBe('on');
    expect(updater.checks).toBe(0); // start-up is never held up by a check
    await vi.advanceTimersByTimeAsync(1_000);
    expect(updater.checks).toBe(1);
    expect(updater.feed).toEqual(feed);
    expect(updater.autoDownload).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(updater.checks).toBe(3);
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(downloaded).toEqual(['0.2.0']);
    checks.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(updater.checks).toBe(3);
  });

  it('an unreachable feed or a missing electron-updater is logged, never thrown', async () => {
    const updater = Object.assign(new FakeUpdater(), { fail: true });
    const checks = startUpdateChecks({ feed, isPackaged: true, loadUpdater: async () => updater, logger });
    expect(await checks.checkNow()).toMatch(/failed: getaddrinfo ENOTFOUND/);
    checks.stop();

    const missing = startUpdateChecks({
      feed,
      isPackaged: true,
      loadUpdater: () => Promise.reject(new Error("Cannot find package 'electron-updater'")),
      logger,
    });
    expect(await missing.checkNow()).toMatch(/electron-updater is not part of this build/);
    expect(missing.state()).toBe('unavailable');
    missing.stop();
    expect(lines.some((l) => l.includes('electron-updater could not be loaded'))).toBe(true);
  });
});
