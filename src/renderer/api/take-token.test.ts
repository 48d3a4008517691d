import { afterEach, describe, expect, it, vi } from 'vitest';
import { takeToken } from './ws-api';

/** A stand-in for the page's location, history and session storage. */
function page(hash: string, stored: string | null = null) {
  const url = { pathname: '/', search: '', hash };
  const storage = new Map<string, string>(stored ? [['flightdeck.token', stored]] : []);
  vi.stubGlobal('location', url);
  vi.stubGlobal('sessionStorage', {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => void storage.set(k, v),
  });
  vi.stubGlobal('history', {
    replaceState: (_s: unknown, _t: string, next: string) => {
      const at = next.indexOf('#');
      url.hash = at === -1 ? '' : next.slice(at);
    },
  });
  return { url, storage };
}

afterEach(() => vi.unstubAllGlobals());

describe('takeToken', () => {
  it('takes the token the host printed and clears the address bar', () => {
    const p = page('#token=abc');
    expect(takeToken()).toBe('abc');
    expect(p.url.hash).toBe('');
    expect(p.storage.get('flightdeck.token')).toBe('abc');
  });

  it('takes a token carried after a route and keeps the route', () => {
    const p = page('#/executions/FD-29?token=xyz');
    expect(takeToken()).toBe('xyz');
    expect(p.url.hash).toBe('#/executions/FD-29');
  });

  it('leaves a route without a token alone and uses the stored one', () => {
    const p = page('#/schedules/3', 'kept');
    expect(takeToken()).toBe('kept');
    expect(p.url.hash).toBe('#/schedules/3');
  });
});
