import { afterEach, describe, expect, it } from 'vitest';
import { N8nClient } from '../n8n/client';
import { startFakeN8n } from '../testing/fake-n8n';
import { addRunWorkflow, setRunMode, type FakeRunMode } from '../testing/fake-n8n-runs';
import { createRunFinder, markOf } from './run-lookup';

// findRunInN8n, the one function crash recovery calls before re-posting a run: found by its
// mark wherever n8n keeps it, absent only when every execution since was read, else unknown.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(line: 1 | 2 = 1) {
  const n8n = await startFakeN8n({ version: line === 1 ? '1.123.81' : '2.41.1' });
  const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey, retries: 0 });
  cleanups.push(n8n.close, () => client.close());
  const finder = createRunFinder({ forInstance: () => client });
  const post = async (workflow: string, runId: number, event = 'order.created') =>
    fetch(`${n8n.baseUrl}/webhook/${workflow}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-flightdeck-execution-id': String(runId),
        'x-flightdeck-event': event,
      },
      body: JSON.stringify({ runId }),
    }).then((r) => r.arrayBuffer());
  const workflow = (id: string, mode: FakeRunMode) => addRunWorkflow(n8n, { id, name: id, path: id, mode });
  /** GET /executions/{id} calls made so far. */
  const probes = () => n8n.state.requests.filter((r) => /^GET \/api\/v1\/executions\/\d+/.test(r)).length;
  return { n8n, finder, post, workflow, probes };
}

/** A fresh client of a fake (its own finder reads everything anew). */
function clientOf(n8n: { baseUrl: string; apiKey: string }) {
  const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey, retries: 0 });
  cleanups.push(() => client.close());
  return client;
}

describe('findRunInN8n', () => {
  it('finds a run among many executions, past the newest page', async () => {
    const { finder, post, workflow } = await setup();
    workflow('w1', 'lastNode');
    const since = Date.now();
    await post('w1', 7);
    for (let i = 100; i < 400; i++) await post('w1', i); // 300 newer executions
    const found = await finder.findRunInN8n('i1', 'w1', 7, since);
    expect(found).toMatchObject({ state: 'found', execution: { id: '1', workflowId: 'w1', status: 'success' } });
  });

  it.each([1, 2] as const)('n8n %i.x: finds runs n8n leaves out of its list (waiting, running)', async (line) => {
    const { finder, post, workflow } = await setup(line);
    workflow('wait', 'wait');
    workflow('busy', 'running');
    workflow('ok', 'lastNode');
    const since = Date.now();
    await post('wait', 1);
    await post('busy', 2);
    await post('ok', 3);
    expect(await finder.findRunInN8n('i1', 'wait', 1, since)).toMatchObject({
      state: 'found',
      execution: { id: '1', status: 'waiting' },
    });
    expect(await finder.findRunInN8n('i1', null, 2, since)).toMatchObject({
      state: 'found',
      execution: { id: '2', status: 'running' },
    });
  });

  it('says absent only after reading everything since the run was sent', async () => {
    const { finder, post, workflow, probes: n8nProbes } = await setup();
    workflow('ok', 'lastNode');
    workflow('lost', 'crash');
    const since = Date.now();
    await post('ok', 1);
    await post('lost', 2); // acknowledged, never stored: id 2 is a gap
    await post('ok', 3);
    expect(await finder.findRunInN8n('i1', 'lost', 2, since)).toEqual({ state: 'absent' });
    // The gap was asked for, and is not asked for again.
    const probes = n8nProbes();
    expect(probes).toBeGreaterThan(0);
    expect(await finder.findRunInN8n('i1', 'lost', 2, since)).toEqual({ state: 'absent' });
    expect(n8nProbes() - probes).toBeLessThanOrEqual(1); // only the id above the newest
  });

  it('n8n 2.x cut the call as it stopped: the crashed execution that ran no node is not the run (absent); one that ran is', async () => {
    const { n8n, finder, post, workflow } = await setup(2);
    workflow('cut', 'cut');
    const since = Date.now();
    await expect(post('cut', 4)).rejects.toThrow();
    expect(n8n.state.executions).toMatchObject([{ id: '1', status: 'crashed', ranNothing: true }]);
    expect(await finder.findRunInN8n('i1', 'cut', 4, since)).toEqual({ state: 'absent' });
    // Sent again, it runs: that execution is the run's.
    setRunMode(n8n, 'cut', 'lastNode');
    await post('cut', 4);
    expect(await finder.findRunInN8n('i1', 'cut', 4, since)).toMatchObject({
      state: 'found',
      execution: { id: '2', status: 'success' },
    });
    // A crashed execution that did run nodes (n8n's recovery found them in its log) is the run's.
    setRunMode(n8n, 'cut', 'cut');
    await expect(post('cut', 5)).rejects.toThrow();
    const crashed = n8n.state.executions.find((e) => e.id === '3')!;
    crashed.ranNothing = false;
    expect(
      await createRunFinder({ forInstance: () => clientOf(n8n) }).findRunInN8n('i1', 'cut', 5, since),
    ).toMatchObject({
      state: 'found',
      execution: { id: '3', status: 'crashed' },
    });
  });

  it('reads a match it saw running again: finished, it says so; marked crashed having run nothing, it is absent', async () => {
    const { n8n, finder, post, workflow } = await setup(2);
    workflow('busy', 'running');
    const since = Date.now();
    await post('busy', 8);
    await post('busy', 9);
    expect(await finder.findRunInN8n('i1', 'busy', 8, since)).toMatchObject({
      state: 'found',
      execution: { id: '1', status: 'running' },
    });
    expect(await finder.findRunInN8n('i1', 'busy', 9, since)).toMatchObject({ execution: { id: '2' } });
    n8n.finishExecution('1');
    expect(await finder.findRunInN8n('i1', 'busy', 8, since)).toMatchObject({
      state: 'found',
      execution: { id: '1', status: 'success' },
    });
    // n8n restarted and marked the other crashed: no node of it ran.
    Object.assign(
      n8n.state.executions.find((e) => e.id === '2')!,
      { status: 'crashed', ranNothing: true },
    );
    expect(await finder.findRunInN8n('i1', 'busy', 9, since)).toEqual({ state: 'absent' });
  });

  it('does not take an older execution with the same mark (another console, an earlier run)', async () => {
    const { finder, post, workflow } = await setup();
    workflow('ok', 'lastNode');
    await post('ok', 5, 'other.event');
    await post('ok', 5);
    const found = await finder.findRunInN8n('i1', 'ok', 5, Date.now(), { event: 'order.created' });
    expect(found).toMatchObject({ state: 'found', execution: { id: '2' } });
    expect(await finder.findRunInN8n('i1', 'ok', 5, Date.now() + 3_600_000)).toEqual({ state: 'absent' });
  });

  it('answers unknown when n8n cannot be asked', async () => {
    const { n8n, finder } = await setup();
    n8n.state.failWith = 503;
    expect(await finder.findRunInN8n('i1', 'w1', 1, Date.now())).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/503/),
    });
  });
});

describe('markOf', () => {
  it("reads the dispatcher's headers from the Webhook node's output, and nothing else", () => {
    const data = (headers: unknown) => ({
      resultData: { runData: { Webhook: [{ data: { main: [[{ json: { headers, body: {} } }]] } }] } },
    });
    expect(markOf(data({ 'x-flightdeck-execution-id': '42', 'x-flightdeck-event': 'a.b' }))).toEqual({
      runId: 42,
      event: 'a.b',
    });
    expect(markOf(data({ 'x-flightdeck-execution-id': '42; drop' }))).toBeNull();
    expect(markOf(data({}))).toBeNull();
    expect(markOf(null)).toBeNull();
    expect(markOf({ resultData: { runData: { Webhook: 'garbage' } } })).toBeNull();
  });
});
