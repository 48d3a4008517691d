import { afterEach, describe, expect, it } from 'vitest';
import type { Instance } from '../../../shared/contract';
import { systemClock } from '../clock';
import { createCore, type Core } from '../create-core';
import { createServer } from 'node:net';
import { tempDir } from '../testing/test-core';
import type { HealthSignal } from './instance-health';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A loopback port nothing listens on (taken and released). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('instance health from every signal', { timeout: 60_000 }, () => {
  it('the sync finds n8n unreachable (down within seconds), a probe finds it back (up), each announced', async () => {
    let answer: HealthSignal = { up: false, reason: 'connection refused (ECONNREFUSED)' };
    const probed: string[] = [];
    const dir = tempDir();
    const core: Core = createCore({
      dataDir: dir.path,
      clock: systemClock,
      metrics: { pollMs: 0 },
      n8n: {
        retries: 0,
        timeoutMs: 2_000,
        health: {
          downBaseMs: 30,
          downMaxMs: 100,
          upIntervalMs: 60_000,
          probe: async (baseUrl) => {
            probed.push(baseUrl);
            return answer;
          },
        },
      },
    });
    cleanups.push(dir.remove, () => core.close());
    const seen: Instance['health'][] = [];
    core.subscribe((event, payload) => event === 'instances:changed' && seen.push((payload as Instance).health));
    const port = await freePort();
    const added = await core.call('instances:add', {
      name: 'prod',
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'key-0000-0000',
      environment: 'prod',
      color: '#2f6fed',
    });
    if (!added.ok) throw new Error(JSON.stringify(added.error));
    const health = async () => {
      const list = await core.call('instances:list', {});
      return list.ok ? list.data.instances[0]?.health : undefined;
    };
    const down = await until('down', async () => {
      const h = await health();
      return h?.state === 'down' ? h : undefined;
    });
    expect(down.reason).toBeTruthy();
    expect(['sync', 'probe']).toContain(down.source);
    await until('probes while down', async () => (probed.length >= 2 ? true : undefined));
    answer = { up: true };
    const up = await until('up', async () => {
      const h = await health();
      return h?.state === 'up' ? h : undefined;
    });
    expect(up).toMatchObject({ state: 'up', reason: null, source: 'probe' });
    expect(seen.some((h) => h.state === 'down')).toBe(true);
    expect(seen.at(-1)?.state).toBe('up');
  });
});
