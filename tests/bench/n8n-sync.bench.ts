import { request } from 'undici';
import { it } from 'vitest';
import { testCore } from '../../src/main/core/testing/test-core';
import { createWebhookWorkflow, fireMany, startN8n } from '../n8n/harness';
import { report } from './report';

// Sync throughput from a real n8n holding 2,000 executions, against reading the same pages of
// the same API raw (undici + JSON.parse, nothing stored) in the same run. n8n's own read speed
// bounds both, so the ratio is what Flightdeck's validation and SQLite upserts cost.
const EXECUTIONS = 2_000;
const ROUNDS = 9;

it('n8n sync: executions synced per second vs raw API reads', async () => {
  const n8n = await startN8n();
  try {
    await createWebhookWorkflow(n8n, { path: 'bench', name: 'Bench' });
    await fireMany(n8n, 'bench', EXECUTIONS, 8);

    const rawRead = async (): Promise<number> => {
      const started = performance.now();
      let count = 0;
      let cursor: string | null = null;
      do {
        const { body } = await request(
          `${n8n.baseUrl}/api/v1/executions?limit=250${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { 'x-n8n-api-key': n8n.apiKey } },
        );
        const page = (await body.json()) as { data: unknown[]; nextCursor: string | null };
        count += page.data.length;
        cursor = page.nextCursor;
      } while (cursor);
      if (count < EXECUTIONS) throw new Error(`n8n listed only ${count} executions`);
      return count / ((performance.now() - started) / 1000);
    };

    /** One full first sync into a fresh store; `warm` opens the instance's pool first, like the raw read's warm-up. */
    const syncRate = async (warm: boolean): Promise<number> => {
      const t = testCore({ checkOutputs: false }); // a fresh store each round: a full first sync, not an incremental one
      try {
        const added = await t.core.call('instances:add', {
          name: 'bench',
          baseUrl: n8n.baseUrl,
          apiKey: n8n.apiKey,
          environment: 'bench',
          color: '#2f6fed',
          syncEnabled: false,
        });
        if (!added.ok) throw new Error(added.error.message);
        if (warm) await t.core.call('instances:test', { id: added.data.id });
        const started = performance.now();
        const result = await t.core.call('instances:syncNow', { id: added.data.id });
        const seconds = (performance.now() - started) / 1000;
        if (!result.ok || result.data.outcome !== 'ok') throw new Error(JSON.stringify(result));
        return result.data.executions / seconds;
      } finally {
        await t.cleanup();
      }
    };

    await rawRead(); // warm n8n's caches and the connection
    const raw: number[] = [];
    const synced: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      raw.push(await rawRead());
      synced.push(await syncRate(true));
      cold.push(await syncRate(false));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    report(`n8n sync (${EXECUTIONS.toLocaleString('en-US')} executions, 250 a page, median of ${ROUNDS})`, [
      { name: 'raw API read (undici + JSON.parse, warm)', value: median(raw), unit: 'executions/s' },
      {
        name: 'full sync into SQLite (validate + upsert, warm)',
        value: median(synced),
        unit: 'executions/s',
        baseline: { name: 'raw read', value: median(raw) },
        goal: '≥ 0.8',
      },
      {
        name: 'same, first pass on a new connection pool',
        value: median(cold),
        unit: 'executions/s',
        baseline: { name: 'raw read', value: median(raw) },
      },
    ]);
  } finally {
    await n8n.dispose();
  }
});
