import { afterEach, describe, expect, it } from 'vitest';
import { mappingInputSchema, type MappingInput } from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import { createMappingService } from '../mappings/mapping-service';
import { createSqliteJobStore } from '../queue/sqlite-job-store';
import { startFakeN8n, type FakeN8n } from '../testing/fake-n8n';
import { webhookWorkflow } from '../testing/n8n-workflows';
import { testContext } from '../testing/test-core';
import { waitUntil } from '../testing/wait';
import { createDispatcher } from './dispatcher';
import { createEmitter } from './emit';
import { createExecutionsWriter } from './executions-writer';
import { createWebhookPost } from './webhook-post';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Active workflows with a Webhook node on each path, as n8n would have them. */
function webhooks(n8n: FakeN8n, ...paths: string[]) {
  for (const path of paths) n8n.addWorkflow(`wf-${path}`, path, { nodes: webhookWorkflow({ path }).nodes });
}

/** The pipeline against the loopback fake n8n (real HTTP); `setup` gives it workflows and faults. */
async function pipeline(setup: (n8n: FakeN8n) => void) {
  const n8n = await startFakeN8n();
  setup(n8n);
  // Real time here: backoff delays are set to a few ms by the mappings below.
  const t = testContext({ clock: { now: () => Date.now() } });
  const instanceBaseUrl = (id: string) => (id === 'dev' ? n8n.baseUrl : null);
  const mappings = createMappingService(t.ctx, t.audit, { instanceBaseUrl });
  const jobs = createSqliteJobStore({ store: t.ctx.store, clock: t.ctx.clock });
  const executions = createExecutionsWriter(t.ctx.store);
  const emit = createEmitter({ ctx: t.ctx, audit: t.audit, mappings, jobs, executions });
  const post = createWebhookPost();
  const dispatcher = createDispatcher({ ctx: t.ctx, jobs, executions, instanceBaseUrl, post });
  cleanups.push(
    () => n8n.close(),
    t.cleanup,
    post.close,
    () => dispatcher.stop?.(),
  );
  const mapping = (over: Partial<MappingInput> = {}) =>
    mappings.create(
      mappingInputSchema.parse({
        event: 'order.created',
        instanceId: 'dev',
        webhookPath: 'orders',
        retry: { attempts: 3, backoff: 'fixed', delayMs: 5, jitter: 0 },
        ...over,
      }),
    );
  const row = (id: number) =>
    t.ctx.store.db
      .prepare('SELECT status, error, attempts, response_status, job_id FROM executions WHERE id = ?')
      .get(id) as {
      status: string;
      error: string | null;
      attempts: number;
      response_status: number | null;
      job_id: number | null;
    };
  const settled = (id: number) =>
    waitUntil(`execution ${id} to settle`, () =>
      ['succeeded', 'dead_lettered', 'failed'].includes(row(id).status) ? row(id) : undefined,
    );
  return { n8n, t, emit, dispatcher, mapping, row, settled, jobs };
}

describe('dispatch pipeline (real SQLite, real HTTP on loopback)', () => {
  it('queues an event durably, posts the transformed body and records success', async () => {
    const p = await pipeline((n8n) => webhooks(n8n, 'orders'));
    p.mapping({ transform: { mode: 'pick', fields: [{ from: 'order.id', to: 'id' }], constants: [] } });
    const { executionIds } = p.emit({
      event: 'order.created',
      payload: { order: { id: 7, x: 1 } },
      source: 'ui',
      actor: 'ana',
    });
    expect(p.row(executionIds[0]!)).toMatchObject({ status: 'queued', attempts: 0 });
    p.dispatcher.start?.();
    expect(await p.settled(executionIds[0]!)).toMatchObject({ status: 'succeeded', attempts: 1, response_status: 200 });
    expect(p.n8n.state.doorCalls).toHaveLength(1);
    expect(p.n8n.state.doorCalls[0]).toMatchObject({ path: '/webhook/orders', body: { id: 7 } });
    expect(p.n8n.state.doorCalls[0]!.headers['x-flightdeck-execution-id']).toBe(String(executionIds[0]));
  });

  it('a webhook answer naming an execution id another run holds still counts as delivered, once (found by the fuzz suite)', async () => {
    // A workflow's "Respond to Webhook" node may answer the same body every time.
    const p = await pipeline((n8n) => {
      n8n.state.doorFault = () => ({ status: 200, body: { executionId: '4242' } });
    });
    p.mapping();
    // n8n's copy of execution 4242, synced before the webhook's answer arrived.
    p.t.ctx.store.db
      .prepare(
        `INSERT INTO executions (source, instance_id, remote_id, status, created_at_ms, updated_at_ms)
         VALUES ('remote', 'dev', '4242', 'succeeded', 1, 1)`,
      )
      .run();
    p.dispatcher.start?.();
    const first = p.emit({ event: 'order.created', payload: {}, source: 'http', actor: 'x' }).executionIds[0]!;
    expect(await p.settled(first)).toMatchObject({ status: 'succeeded', attempts: 1 });
    const second = p.emit({ event: 'order.created', payload: {}, source: 'http', actor: 'x' }).executionIds[0]!;
    expect(await p.settled(second)).toMatchObject({ status: 'succeeded', attempts: 1, error: null });
    expect(p.n8n.state.doorCalls).toHaveLength(2);
    const rows = p.t.ctx.store.db
      .prepare("SELECT id, source, remote_id FROM executions WHERE remote_id = '4242' OR id IN (?, ?) ORDER BY id")
      .all(first, second);
    // The first run took the synced copy's place; the second stays unlinked instead of failing.
    expect(rows).toEqual([
      { id: first, source: 'local', remote_id: '4242' },
      { id: second, source: 'local', remote_id: null },
    ]);
  });

  it('retries a 503 and succeeds; dead-letters a 404 at once with a reason', async () => {
    // n8n is briefly unavailable (a 503), then runs the workflow; nothing listens on 'missing' (n8n's own 404).
    const p = await pipeline((n8n) => {
      webhooks(n8n, 'flaky');
      n8n.state.doorFault = (call, n) => (call.path === '/webhook/flaky' && n < 2 ? { status: 503 } : undefined);
    });
    p.mapping({ webhookPath: 'flaky' });
    p.mapping({ event: 'gone', webhookPath: 'missing' });
    const flaky = p.emit({ event: 'order.created', payload: {}, source: 'http', actor: 'x' }).executionIds[0]!;
    const gone = p.emit({ event: 'gone', payload: {}, source: 'http', actor: 'x' }).executionIds[0]!;
    p.dispatcher.start?.();
    expect(await p.settled(flaky)).toMatchObject({ status: 'succeeded', attempts: 2 });
    const dead = await p.settled(gone);
    expect(dead).toMatchObject({ status: 'dead_lettered', attempts: 1, response_status: 404 });
    expect(dead.error).toMatch(/no active webhook .* activate the workflow/);
    expect(p.jobs.get(dead.job_id!).state).toBe('dead_lettered');
  });

  it('gives one run per idempotency key and mapping', async () => {
    const p = await pipeline((n8n) => webhooks(n8n, 'orders', 'second'));
    p.mapping();
    p.mapping({ webhookPath: 'second' });
    const first = p.emit({ event: 'order.created', payload: {}, source: 'http', actor: 'x', idempotencyKey: 'k' });
    const again = p.emit({
      event: 'order.created',
      payload: { changed: true },
      source: 'http',
      actor: 'x',
      idempotencyKey: 'k',
    });
    expect(first.executionIds).toHaveLength(2);
    expect(again).toEqual({ executionIds: first.executionIds, deduplicated: true });
    expect(p.jobs.counts().total.waiting).toBe(2);
  });

  it('refuses unknown events and gated mappings without approvals; skips unmet conditions', async () => {
    const p = await pipeline((n8n) => webhooks(n8n, 'orders', 'second'));
    expect(() => p.emit({ event: 'nobody', payload: {}, source: 'ui', actor: 'x' })).toThrow(/No active mapping/);
    p.mapping({ conditions: [{ path: 'amount', op: 'gt', value: 100 }] });
    expect(p.emit({ event: 'order.created', payload: { amount: 5 }, source: 'ui', actor: 'x' }).executionIds).toEqual(
      [],
    );
    p.mapping({ event: 'gated', requiresApproval: true });
    const refused = (() => {
      try {
        p.emit({ event: 'gated', payload: {}, source: 'ui', actor: 'x' });
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(refused?.code).toBe('UNAVAILABLE');
    expect(p.t.ctx.store.db.prepare('SELECT count(*) AS n FROM executions').get()).toEqual({ n: 0 });
  });
});
