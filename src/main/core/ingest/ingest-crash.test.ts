import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { silentLogger } from '../logger';
import { bundleChild, runChild, waitForOutput } from '../testing/crash-child';
import { tempDir } from '../testing/test-core';
import { loadOrCreateIngestSecret } from './ingest-secret';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

// The crash test of the group-committed ingest door: 50 senders post signed events to a console
// in a child process, which is SIGKILLed while batches are being committed. Every event the door
// acknowledged (202) must be in the store afterwards, with its run and its queued job: an answer
// is sent only after the batch holding the event has committed. (The child is bundled and run by
// ../testing/crash-child.ts, as queue-crash.test's.)

const SENDERS = 50;
const KILL_AFTER_ACKS = 400;
const work = tempDir('flightdeck-ingest-crash-');
let childScript = '';

beforeAll(async () => {
  childScript = await bundleChild(resolve(__dirname, '../testing/ingest-crash.child.ts'), join(work.path, 'bundle'));
}, 300_000);
afterAll(() => work.remove());

it('an acknowledged event survives a SIGKILL of the console mid-batch', async () => {
  const webhook = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('{}')));
  await new Promise<void>((ready) => webhook.listen(0, '127.0.0.1', ready));
  const address = webhook.address();
  const webhookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const dataDir = join(work.path, 'data');
  const child = runChild(childScript, [dataDir, webhookUrl]);
  try {
    const [, url = ''] = await waitForOutput(child, /\{"pid":\d+,"url":"([^"]+)"\}/);
    const secret = loadOrCreateIngestSecret(dataDir, silentLogger);

    const acked = new Map<number, number>(); // event n → its run id
    let next = 0;
    let killed = false;
    const agents = Array.from({ length: SENDERS }, () => new Agent({ connections: 1 }));
    await Promise.all(
      agents.map(async (dispatcher) => {
        while (!killed) {
          const n = next++;
          const body = JSON.stringify({ n, pad: 'x'.repeat(200) });
          const t = Date.now();
          try {
            const res = await request(`${url}/events/crash.event`, {
              method: 'POST',
              body,
              dispatcher,
              headers: {
                'content-type': 'application/json',
                [TIMESTAMP_HEADER]: String(t),
                [SIGNATURE_HEADER]: sign(secret, t, body),
              },
            });
            const answer = (await res.body.json()) as { executionIds?: number[] };
            expect(res.statusCode).toBe(202);
            acked.set(n, answer.executionIds?.[0] ?? -1);
            if (acked.size >= KILL_AFTER_ACKS && !killed) {
              killed = true;
              child.child.kill('SIGKILL');
            }
          } catch (error) {
            if (!killed) throw error; // only the kill may cut a request short
          }
        }
      }),
    );
    await child.exited;
    await Promise.all(agents.map((a) => a.destroy()));
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(next).toBeGreaterThan(acked.size); // requests were in flight at the kill

    const store = openStore({ dataDir, bus: new EventBus(), migrations, now: () => Date.now() });
    try {
      const runOf = store.db.prepare(
        `SELECT e.id, json_extract(b.payload_json, '$.n') AS n, j.state AS job
         FROM executions e LEFT JOIN execution_bodies b ON b.id = e.id LEFT JOIN jobs j ON j.id = e.job_id WHERE e.id = ?`,
      );
      const lost: number[] = [];
      for (const [n, id] of acked) {
        const row = runOf.get(id) as { id: number; n: number; job: string | null } | undefined;
        if (!row || row.n !== n || row.job === null) lost.push(n);
      }
      expect(lost, 'acknowledged events missing after the kill').toEqual([]);
    } finally {
      store.close();
    }
  } finally {
    await child.kill();
    webhook.closeAllConnections();
    webhook.close();
  }
}, 300_000);
