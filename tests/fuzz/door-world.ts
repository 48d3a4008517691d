import { expect, beforeAll, beforeEach, afterAll } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../../src/main/core/testing/test-core';
import { describeInput } from './contract-world';
import { FUZZ_SEED, fuzzParameters, replayHint } from './fuzz-config';
import { hostBuilt, ingestSecret, signIngest, startHost, type HostProcess } from './host-process';
import { FUZZ_N8N_API_KEY, startFuzzN8n, type FuzzN8n } from './fuzz-n8n';
import type { RawAnswer } from './raw-wire';
import { openStoreProbe, type Checksums, type StoreProbe } from './store-probe';

/**
 * The built headless host for the door suites, on a temp data folder with a little data (an
 * instance on a loopback n8n, a mapping, one dispatched run), and the checks every hostile
 * request is judged by: a 4xx or a closed socket, the process still up (a normal authenticated
 * call answers, the ingest door answers), nothing stored.
 *
 * A door that kills the host does not hide the next one's result: the host is started again on
 * the same data folder before each test, and the test that killed it fails naming the exit.
 */

/**
 * Tables that change while the host merely runs: its metrics loop samples gauges every second, and
 * the search index's background step (0024) advances its mark over the seeded runs whenever it gets
 * to them — a loaded run once caught it during the first refused request. The contract fuzz, where
 * a call can touch the index, keeps watching search_state.
 */
const BACKGROUND_TABLES = ['metric_samples', 'metric_state', 'metric_rollups', 'monitoring_events', 'search_state'];

/** `Host:` for hand-written requests. */
export const H = 'Host: 127.0.0.1\r\n';

/**
 * A door property stops at its first failure without shrinking: once a request has killed the
 * host, every smaller one "fails" too, and shrinking would blame an innocent `GET /`.
 */
export const doorParameters = <T>(index: number, runs: number) => ({
  ...fuzzParameters<T>(index, runs),
  endOnFailure: true,
});

export type CallAnswer = { ok: boolean; data?: unknown; error?: { code: string } };

/** Why an answer is not a refusal (a 4xx, or a connection closed without answering), or null when it is. */
export function notRefused(what: string, answer: RawAnswer): string | null {
  const ok = answer.status === null ? answer.closed : answer.status >= 400 && answer.status < 500;
  if (ok) return null;
  const socket = answer.closed ? '' : ' and kept the socket open';
  return `${what}: answered ${answer.status ?? 'nothing'}${socket}: ${answer.text.slice(0, 200)}`;
}

export function expectRefused(what: string, answer: RawAnswer): void {
  expect(notRefused(what, answer)).toBeNull();
}

/** Why a fetch answer is not a 4xx, or null. */
export async function notRefusedFetch(what: string, res: Response): Promise<string | null> {
  if (res.status >= 400 && res.status < 500) return null;
  return `${what}: answered ${res.status} ${(await res.text()).slice(0, 200)}`;
}

/** Registers the suite's hooks (start, restart after a death, stop) and returns the world they keep. */
export function useDoorWorld(file: string) {
  let dir: ReturnType<typeof tempDir>;
  let loop: FuzzN8n;
  let host: HostProcess;
  let probe: StoreProbe;
  let ingestUrl = '';
  let secret = '';
  /** How earlier hosts of this run ended, for the report. */
  const deaths: string[] = [];

  /** One contract call over a normal WebSocket client, as a second browser tab would make it. */
  async function call(channel: string, input: unknown): Promise<CallAnswer> {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, ['flightdeck.v1', `token.${host.token}`]);
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const reply = new Promise<CallAnswer>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${channel}: no answer within 15 s`)), 15_000);
        ws.on('message', (m) => {
          const frame = JSON.parse(String(m)) as { type: string; id?: number; result: CallAnswer };
          if (frame.type === 'result' && frame.id === 1) {
            clearTimeout(timer);
            resolve(frame.result);
          }
        });
      });
      ws.send(JSON.stringify({ type: 'call', id: 1, channel, input }));
      return await reply;
    } finally {
      ws.terminate();
    }
  }

  async function boot(): Promise<void> {
    host = await startHost(dir.path, { FLIGHTDECK_LOG_LEVEL: 'info' });
    const info = await call('ingest:info', {});
    ingestUrl = (info.data as { url: string }).url;
  }

  /**
   * Waits (on the store, up to 20 s) until nothing is queued or running and the linker has judged
   * the id n8n's answer named (confirmed or dropped it): after that the run's row stays still.
   */
  async function settled(): Promise<void> {
    const deadline = Date.now() + 20_000;
    const busy = () =>
      probe.count("SELECT count(*) FROM jobs WHERE state IN ('waiting', 'active')") +
      probe.count(
        "SELECT count(*) FROM executions WHERE source = 'local' AND remote_id IS NOT NULL AND linked_at_ms IS NULL",
      );
    while (busy() > 0) {
      if (Date.now() > deadline) throw new Error('the queued run was not dispatched and judged within 20 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** True when the host answers a plain HEAD (within 15 s); false once its process has exited. */
  async function hostResponds(): Promise<boolean> {
    if (host.exit()) return false;
    try {
      const res = await fetch(host.url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
      return res.status === 200;
    } catch {
      // No answer: it is going down (or wedged). Give its exit a moment to be reported.
      const deadline = Date.now() + 10_000;
      while (!host.exit() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return false;
    }
  }

  const stored = (): Checksums => {
    const sums = probe.checksums();
    for (const table of BACKGROUND_TABLES) delete sums[table];
    return sums;
  };

  /** The host is up and answers: a normal call over WebSocket, and a plain refusal at the ingest door. */
  async function expectAlive(): Promise<void> {
    if (!(await hostResponds())) {
      const ended = JSON.stringify(host.exit()) ?? 'no answer';
      throw new Error(`the host exited (${ended}); its last log lines:\n${host.output().slice(-3_000)}`);
    }
    expect(await call('app:status', {})).toMatchObject({ ok: true, data: { state: 'ready' } });
    const unsigned = await fetch(`${ingestUrl}/events/order.created`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
  }

  function expectUnchanged(before: Checksums): void {
    const changed = probe.diff(before, stored());
    // The newest rows of what changed, so a failure says what was stored, not only where.
    const newest = (t: string) => {
      try {
        return probe.rows(`SELECT * FROM "${t}" ORDER BY rowid DESC LIMIT 3`);
      } catch {
        return probe.rows(`SELECT * FROM "${t}" LIMIT 3`); // a WITHOUT ROWID table
      }
    };
    const rows = changed.map((t) => `${t}: ${describeInput(newest(t), 700)}`);
    expect(changed, `tables changed by refused requests\n${rows.join('\n')}`).toEqual([]);
  }

  /** The end of a suite: the store is sound and no test killed the host. */
  async function expectSoundEnd(): Promise<void> {
    await expectAlive();
    const { integrity, foreignKeys } = probe.integrity();
    expect(integrity).toEqual(['ok']);
    expect(foreignKeys).toEqual([]);
    expect(deaths, 'earlier tests killed the host').toEqual([]);
  }

  beforeAll(async () => {
    if (!hostBuilt()) throw new Error('Build the host first: npx electron-vite build (npm run test:fuzz does).');
    console.log(`doors fuzz: seed ${FUZZ_SEED} — replay with ${replayHint(file)}`);
    dir = tempDir('flightdeck-doors-');
    loop = await startFuzzN8n();
    await boot();
    probe = openStoreProbe(dir.path);
    secret = ingestSecret(dir.path);
    // A little data, so that "nothing stored" is checked against a store that has something in it.
    const instance = await call('instances:add', {
      name: 'Loopback',
      baseUrl: loop.baseUrl,
      apiKey: FUZZ_N8N_API_KEY,
      environment: 'prod',
      color: '#2f6fed',
      syncEnabled: false,
    });
    expect(instance.ok).toBe(true);
    const mapping = await call('mappings:create', {
      mapping: { event: 'order.created', instanceId: (instance.data as { id: string }).id, webhookPath: 'orders/new' },
    });
    expect(mapping.ok).toBe(true);
    // The positive control: a correctly signed event is accepted, so refusals are not a broken signer.
    const body = JSON.stringify({ amount: 42 });
    const accepted = await fetch(`${ingestUrl}/events/order.created`, {
      method: 'POST',
      headers: signIngest(secret, Date.now(), body),
      body,
    });
    expect(accepted.status).toBe(202);
    await settled();
  }, 120_000);

  beforeEach(async () => {
    if (!(await hostResponds())) {
      deaths.push(`${JSON.stringify(host.exit())}: ${host.output().slice(-600)}`);
      await host.stop();
      await boot();
    }
    await settled();
  });

  afterAll(async () => {
    if (deaths.length > 0)
      console.log(`doors fuzz: the host died ${deaths.length} time(s):\n${deaths.join('\n---\n')}`);
    await host?.stop();
    probe?.close();
    await loop?.close();
    dir?.remove();
  });

  return {
    get host() {
      return host;
    },
    get loop() {
      return loop;
    },
    get ingestUrl() {
      return ingestUrl;
    },
    get ingestPort() {
      return Number(new URL(ingestUrl).port);
    },
    get secret() {
      return secret;
    },
    call,
    settled,
    stored,
    hostResponds,
    expectAlive,
    expectUnchanged,
    expectSoundEnd,
  };
}
