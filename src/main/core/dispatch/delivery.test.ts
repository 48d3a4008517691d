import { afterEach, describe, expect, it } from 'vitest';
import type { MappingInput } from '../../../shared/contract';
import { systemClock } from '../clock';
import { createCore, type Core } from '../create-core';
import { startFakeN8n, type FakeN8n, type FaultAnswer } from '../testing/fake-n8n';
import { addRunWorkflow, setRunMode } from '../testing/fake-n8n-runs';
import { webhookWorkflow } from '../testing/n8n-workflows';
import { tempDir } from '../testing/test-core';
import type { FindRunInN8n, RunLookup } from './run-lookup';

// Delivery against the loopback fake n8n, through the whole core: offline holds, failure
// classes, the crash check by mark, the hold limit. Real time, short backoffs.

/** The fake n8n of a test, and the webhook calls it received (health probes apart) with their run ids. */
async function fakeN8n() {
  const fake = await startFakeN8n({ apiKey: 'key-0000-0000' });
  const calls = () =>
    fake.state.doorCalls.map((c) => ({
      path: c.path,
      runId: c.headers['x-flightdeck-execution-id'] as string | undefined,
    }));
  return Object.assign(fake, { calls });
}

/** The mapping's workflow in n8n: POST /webhook/orders, answering "Workflow was started". */
const ordersFlow = (n8n: FakeN8n) => void n8n.addWorkflow('wf1', 'Orders flow', { path: 'orders' });
/** Scripts the answer to POST /webhook/orders (`n` counts its calls from 1); health probes see n8n's own. */
const ordersAnswer = (n8n: FakeN8n, answer: (n: number) => FaultAnswer | undefined) => {
  n8n.state.doorFault = (call, n) => (call.path === '/webhook/orders' ? answer(n) : undefined);
};

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function data<T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A core with one instance (the fake n8n, as `prepare` leaves it) and a mapping to /webhook/orders. */
async function setup(
  prepare: (n8n: FakeN8n) => void,
  options: { findRunInN8n?: FindRunInN8n; mapping?: Partial<MappingInput> } = {},
) {
  const n8n = await fakeN8n();
  prepare(n8n);
  const dir = tempDir();
  const core: Core = createCore({
    dataDir: dir.path,
    clock: systemClock,
    metrics: { pollMs: 0 },
    n8n: { health: { downBaseMs: 40, downMaxMs: 200, upIntervalMs: 60_000, timeoutMs: 2_000 } },
    dispatch: {
      holdSweepMs: 50,
      ...(options.findRunInN8n ? { findRunInN8n: options.findRunInN8n } : {}),
    },
  });
  cleanups.push(n8n.close, dir.remove, () => core.close());
  const instance = await data(
    core.call('instances:add', {
      name: 'live',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  const mapping = await data(
    core.call('mappings:create', {
      mapping: {
        event: 'order.created',
        name: 'Orders',
        instanceId: instance.id,
        webhookPath: 'orders',
        retry: { attempts: 3, backoff: 'fixed', delayMs: 20, jitter: 0 },
        ...options.mapping,
      },
    }),
  );
  const runs = async () => (await data(core.call('executions:list', { source: 'local', limit: 500 }))).executions;
  const run = async (id: number) => (await runs()).find((r) => r.id === id);
  const emit = async (payload: unknown = {}) =>
    (await data(core.call('ingest:emit', { event: 'order.created', payload }))).executionIds[0]!;
  const settled = (id: number) =>
    until(`run ${id} to settle`, async () => {
      const r = await run(id);
      return r && ['succeeded', 'failed', 'dead_lettered', 'canceled'].includes(r.status) ? r : undefined;
    });
  const detail = (id: number) => data(core.call('runs:detail', { id }));
  return { n8n, core, instance, mapping, runs, run, emit, settled, detail, dataDir: dir.path };
}

/** The mapping's workflow ends in a Stop and Error node: n8n answers 500 "Error in workflow". */
const failingFlow = (n8n: FakeN8n) => {
  const body = webhookWorkflow({ path: 'orders', name: 'Orders flow', fail: true });
  n8n.addWorkflow('wf1', 'Orders flow', { nodes: body.nodes, connections: body.connections });
};

describe('offline holds', { timeout: 60_000 }, () => {
  it('holds runs while n8n is unreachable without spending attempts, then delivers each once in order', async () => {
    const s = await setup(ordersFlow, {
      mapping: { concurrency: 1, retry: { attempts: 1 } },
    });
    await s.n8n.stop();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await s.emit({ i }));
    const hold = await until('the hold', async () => {
      const stats = await data(s.core.call('queue:stats', {}));
      return stats.holds[0];
    });
    expect(hold).toMatchObject({ instanceId: s.instance.id, reason: expect.stringMatching(/ECONNREFUSED/) });
    const instance = (await data(s.core.call('instances:list', {}))).instances[0]!;
    expect(instance.health).toMatchObject({ state: 'down', reason: expect.stringMatching(/connection refused/) });
    const waiting = await until('the runs to say they wait', async () => {
      const list = (await s.runs()).filter((r) => ids.includes(r.id));
      return list.every((r) => r.status === 'queued' && /^Waiting for live \(offline since/.test(r.error ?? ''))
        ? list
        : undefined;
    });
    expect(waiting).toHaveLength(5);
    // Held long past attempts × backoff: nothing was spent.
    await new Promise((r) => setTimeout(r, 300));
    const overview = await data(s.core.call('queue:overview', {}));
    expect(overview.instances[0]).toMatchObject({ name: 'live', hold: { reason: expect.any(String) } });
    expect(overview.mappings[0]).toMatchObject({ name: 'Orders', counts: { waiting: 5 } });
    const jobs = await data(s.core.call('queue:jobs', { states: ['waiting', 'delayed'] }));
    expect(jobs.jobs.every((j) => j.held && j.attemptsMade === 0)).toBe(true);

    await s.n8n.start();
    for (const id of ids) expect(await s.settled(id)).toMatchObject({ status: 'succeeded', error: null });
    expect(s.n8n.calls().map((c) => Number(c.runId))).toEqual(ids);
    expect((await data(s.core.call('queue:stats', {}))).holds).toEqual([]);
    const after = (await data(s.core.call('instances:list', {}))).instances[0]!;
    expect(after.health.state).toBe('up');
  });

  it('does not count answers of an n8n still starting up', async () => {
    let starting = true;
    const s = await setup((n8n) => {
      ordersFlow(n8n);
      // Every door (the health probe too) answers as n8n does while it starts.
      n8n.state.doorFault = () =>
        starting
          ? { status: 200, headers: { 'content-type': 'text/html' }, body: 'n8n is starting up. Please wait' }
          : undefined;
    });
    const id = await s.emit();
    await until('the hold', async () => (await data(s.core.call('queue:stats', {}))).holds[0]);
    await until('the run to say why it waits', async () =>
      /^Waiting for live .*n8n is starting up/.test((await s.run(id))?.error ?? '') ? true : undefined,
    );
    starting = false;
    expect(await s.settled(id)).toMatchObject({ status: 'succeeded' });
    const detail = await s.detail(id);
    // Held from the first probe or the first answer: either way no attempt was spent on it.
    expect(detail.job?.attempts.at(-1)).toMatchObject({ attempt: expect.any(Number), outcome: 'completed' });
    expect(detail.job?.attempts.filter((a) => a.outcome !== 'returned')).toHaveLength(1);
  });

  it('ends a run held longer than the hold limit as a dead letter with that reason', async () => {
    const s = await setup(ordersFlow);
    await s.n8n.stop();
    const id = await s.emit();
    await until('the hold', async () => (await data(s.core.call('queue:stats', {}))).holds[0]);
    // Eight days ago, as far as the store knows.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${s.dataDir}/flightdeck.sqlite`);
    const past = Date.now() - 8 * 86_400_000;
    db.prepare('UPDATE jobs SET created_at_ms = ?').run(past);
    db.prepare('UPDATE queue_holds SET since_ms = ?').run(past);
    db.close();
    const dead = await s.settled(id);
    expect(dead.status).toBe('dead_lettered');
    expect(dead.error).toMatch(/Waited for live .* longer than the hold limit of 168 h/);
  });
});

describe('failure classes', { timeout: 60_000 }, () => {
  it('a workflow that ran and failed is failed, sent once, never said to be retrying', async () => {
    const s = await setup(failingFlow);
    const id = await s.emit();
    const run = await s.settled(id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/ran in n8n and failed \(500\): "Error in workflow"/);
    expect(run.error).not.toMatch(/retrying/i);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.n8n.calls()).toHaveLength(1);
    expect(s.n8n.state.executions.map((e) => e.status)).toEqual(['error']);
    expect((await s.detail(id)).job?.state).toBe('completed');
  });

  it('runs a failed workflow again only when the mapping opts in, within its attempts', async () => {
    const s = await setup(failingFlow, {
      mapping: { retry: { attempts: 3, delayMs: 20, rerunFailedWorkflow: true } },
    });
    const id = await s.emit();
    const run = await s.settled(id);
    expect(run.status).toBe('failed');
    expect(s.n8n.calls()).toHaveLength(3);
    expect(s.n8n.state.executions.map((e) => e.status)).toEqual(['error', 'error', 'error']);
    expect(run.error).not.toMatch(/retrying/i);
  });

  it('retries what n8n did not take with backoff; the last attempt gives up without "retrying"', async () => {
    const s = await setup((n8n) => ordersAnswer(n8n, () => ({ status: 503, body: { message: 'busy' } })), {
      mapping: { retry: { attempts: 2 } },
    });
    const id = await s.emit();
    const run = await s.settled(id);
    expect(run.status).toBe('dead_lettered');
    expect(run.error).toMatch(/did not take the call \(503\).*Gave up after 2 attempts\.$/);
    expect(run.error).not.toMatch(/retrying/i);
    const attempts = (await s.detail(id)).job?.attempts ?? [];
    expect(attempts[0]?.error).toMatch(/503/);
  });

  it('n8n\'s shutdown answer (500 "aborted") holds the run and looks for it in n8n before sending it again', async () => {
    const looked: number[] = [];
    let found: RunLookup = { state: 'absent' };
    const find: FindRunInN8n = async (_i, _w, runId) => {
      looked.push(runId);
      return found;
    };
    const s = await setup(
      (n8n) => {
        ordersFlow(n8n);
        ordersAnswer(n8n, (n) => (n === 1 ? { status: 500, body: { code: 0, message: 'aborted' } } : undefined));
      },
      {
        findRunInN8n: find,
      },
    );
    const lost = await s.emit({ n: 1 });
    expect(await s.settled(lost)).toMatchObject({ status: 'succeeded' });
    // Looked for first (n8n had not run it), then sent once more: no attempt was spent on the cut call.
    expect(looked).toEqual([lost]);
    expect(s.n8n.calls().map((c) => Number(c.runId))).toEqual([lost, lost]);
    const attempts = (await s.detail(lost)).job?.attempts ?? [];
    expect(attempts.map((a) => a.outcome)).toEqual(['returned', 'completed']);

    // n8n had started it before it went down: it is not sent again.
    ordersAnswer(s.n8n, (n) => (n === 3 ? { status: 500, body: { code: 0, message: 'aborted' } } : undefined));
    found = { state: 'found', execution: { id: '77', status: 'success', workflowId: 'wf1' } };
    const started = await s.emit({ n: 2 });
    expect(await s.settled(started)).toMatchObject({ status: 'succeeded', remoteId: '77' });
    expect(s.n8n.calls().filter((c) => Number(c.runId) === started)).toHaveLength(1);
  });

  it('n8n 2.x\'s "There was a problem executing the workflow" as it comes back: looked for, sent again, no attempt spent; "Error in workflow" stays failed', async () => {
    const looked: number[] = [];
    const find: FindRunInN8n = async (_i, _w, runId) => {
      looked.push(runId);
      return { state: 'absent' };
    };
    const s = await setup(
      (n8n) => {
        ordersFlow(n8n);
        ordersAnswer(n8n, (n) =>
          n === 1
            ? { status: 500, body: { code: 0, message: 'There was a problem executing the workflow' } }
            : undefined,
        );
      },
      { findRunInN8n: find, mapping: { retry: { attempts: 1 } } },
    );
    const id = await s.emit({ n: 1 });
    // One attempt only: had the answer counted, the run would be dead-lettered.
    expect(await s.settled(id)).toMatchObject({ status: 'succeeded' });
    expect(looked).toEqual([id]);
    expect(s.n8n.calls().map((c) => Number(c.runId))).toEqual([id, id]);
    const attempts = (await s.detail(id)).job?.attempts ?? [];
    expect(attempts.map((a) => a.outcome)).toEqual(['returned', 'completed']);
    expect(attempts[0]?.error).toMatch(
      /could not run the workflow \(500 "There was a problem executing the workflow"\)/,
    );
  });

  it('a call n8n 2.x cut as it stopped (a crashed execution that ran nothing) is sent again once n8n answers, no attempt spent', async () => {
    const s = await setup((n8n) =>
      addRunWorkflow(n8n, { id: 'wf1', name: 'Orders flow', path: 'orders', mode: 'cut' }),
    );
    const id = await s.emit({ n: 1 });
    await until('the cut call', () => (s.n8n.state.executions.length > 0 ? true : undefined));
    setRunMode(s.n8n, 'wf1', 'lastNode');
    const run = await s.settled(id);
    expect(run).toMatchObject({ status: 'succeeded' });
    // n8n holds the crashed execution (it ran nothing) and the one that ran: the run is linked to the latter.
    const statuses = s.n8n.state.executions.map((e) => e.status);
    expect(statuses.filter((x) => x === 'success')).toHaveLength(1);
    expect(statuses.every((x) => x === 'success' || x === 'crashed')).toBe(true);
    const attempts = (await s.detail(id)).job?.attempts ?? [];
    expect(attempts.filter((a) => a.outcome !== 'returned')).toHaveLength(1);
    expect(attempts.at(-1)?.outcome).toBe('completed');
  });

  it('dead-letters a 404 at once, but retries one while n8n reports the workflow active', async () => {
    let served = false;
    // No workflow serves the path in n8n (its own 404) until `served`, from the third call on.
    const s = await setup((n8n) =>
      ordersAnswer(n8n, (n) =>
        served && n > 2 ? { status: 200, body: { message: 'Workflow was started' } } : undefined,
      ),
    );
    const gone = await s.emit();
    expect(await s.settled(gone)).toMatchObject({ status: 'dead_lettered' });
    expect((await s.run(gone))?.error).toMatch(/no active webhook/);
    // The workflow serving the path is active (as the console's own activation records it).
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${s.dataDir}/flightdeck.sqlite`);
    db.prepare(
      `INSERT INTO workflows (instance_id, id, name, active, tags_json, node_count, nodes_json, webhook_paths_json, synced_at_ms)
       VALUES (?, 'wf1', 'Orders flow', 1, '[]', 2, '[]', '["orders"]', 0)`,
    ).run(s.instance.id);
    db.close();
    served = true;
    const fresh = await s.emit();
    const run = await s.settled(fresh);
    expect(run.status).toBe('succeeded');
    const attempts = (await s.detail(fresh)).job?.attempts ?? [];
    expect(attempts[0]?.error).toMatch(/n8n reports "Orders flow" active/);
  });
});

describe('crash recovery: the run is looked for in n8n before it is sent again', { timeout: 60_000 }, () => {
  async function expireLease(dataDir: string) {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${dataDir}/flightdeck.sqlite`);
    const t = Date.now();
    db.prepare(
      `UPDATE jobs SET state = 'active', lease_token = 'gone', lease_expires_at_ms = ?, attempts_made = 1,
         attempt_seq = 1, attempt_started_at_ms = ? WHERE state = 'waiting'`,
    ).run(t - 1, t - 1000);
    db.close();
  }

  it('does not post a run n8n already has; posts one it does not; waits when n8n cannot tell', async () => {
    const answers = new Map<number, RunLookup>();
    const looked: number[] = [];
    const find: FindRunInN8n = async (_i, _w, runId) => {
      looked.push(runId);
      return answers.get(runId) ?? { state: 'absent' };
    };
    const s = await setup(ordersFlow, { findRunInN8n: find });
    await data(s.core.call('queue:pause', { instanceId: s.instance.id }));
    const [ran, lost, unsure] = [await s.emit({ n: 1 }), await s.emit({ n: 2 }), await s.emit({ n: 3 })];
    answers.set(ran, { state: 'found', execution: { id: '812', status: 'success', workflowId: 'wf1' } });
    answers.set(unsure, { state: 'unknown', reason: 'n8n unreachable' });
    await expireLease(s.dataDir);
    await data(s.core.call('queue:resume', { instanceId: s.instance.id }));

    expect(await s.settled(ran)).toMatchObject({ status: 'succeeded', remoteId: '812' });
    expect(await s.settled(lost)).toMatchObject({ status: 'succeeded' });
    await until('the unsure run to wait', async () =>
      /could not tell whether it ran/.test((await s.run(unsure))?.error ?? '') ? true : undefined,
    );
    expect(s.n8n.calls().map((c) => Number(c.runId))).toEqual([lost]);
    const unsureJob = (await s.detail(unsure)).job!;
    const [expired, ...rest] = unsureJob.attempts.map((a) => a.outcome);
    expect(expired).toBe('lease_expired');
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((o) => o === 'returned')).toBe(true);
    // Once n8n can tell (absent), it is sent, once.
    answers.set(unsure, { state: 'absent' });
    expect(await s.settled(unsure)).toMatchObject({ status: 'succeeded' });
    expect(s.n8n.calls().filter((c) => Number(c.runId) === unsure)).toHaveLength(1);
    expect(looked).toContain(ran);
  });

  it('a run n8n still shows running is looked at again until n8n knows (a restart may mark it crashed)', async () => {
    const answers = new Map<number, RunLookup>();
    const find: FindRunInN8n = async (_i, _w, runId) => answers.get(runId) ?? { state: 'absent' };
    const s = await setup(ordersFlow, { findRunInN8n: find });
    await data(s.core.call('queue:pause', { instanceId: s.instance.id }));
    const [busy, cut] = [await s.emit({ n: 1 }), await s.emit({ n: 2 })];
    answers.set(busy, { state: 'found', execution: { id: '20', status: 'running', workflowId: 'wf1' } });
    answers.set(cut, { state: 'found', execution: { id: '21', status: 'new', workflowId: 'wf1' } });
    await expireLease(s.dataDir);
    await data(s.core.call('queue:resume', { instanceId: s.instance.id }));
    for (const [id, status] of [
      [busy, 'running'],
      [cut, 'new'],
    ] as const) {
      await until(`run ${id} to wait for n8n`, async () =>
        new RegExp(`still ${status}; looked at again`).test((await s.run(id))?.error ?? '') ? true : undefined,
      );
    }
    // n8n finishes the one, and (after its restart) marks the other crashed having run nothing: absent.
    answers.set(busy, { state: 'found', execution: { id: '20', status: 'success', workflowId: 'wf1' } });
    answers.set(cut, { state: 'absent' });
    expect(await s.settled(busy)).toMatchObject({ status: 'succeeded', remoteId: '20' });
    expect(await s.settled(cut)).toMatchObject({ status: 'succeeded' });
    expect(s.n8n.calls().map((c) => Number(c.runId))).toEqual([cut]);
  });
});
