import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/result';
import { N8nClient } from '../../src/main/core/n8n/client';
import { testCore } from '../../src/main/core/testing/test-core';
import {
  api,
  createWebhookWorkflow,
  fireMany,
  fireWebhook,
  N8N_MAJOR,
  N8N_VERSION,
  startN8n,
  waitForWebhook,
  webhookServed,
  webhookWorkflow,
  type N8nInstance,
} from './harness';

// One real n8n for the whole file (about 10–30 s to start); the tests build on each other's data.
let n8n: N8nInstance;
let okWorkflow: string;
let failedId: string;
const RUNS = 260;

beforeAll(async () => {
  n8n = await startN8n();
  okWorkflow = await createWebhookWorkflow(n8n, { path: 'live-ok', name: 'Live OK' });
  await createWebhookWorkflow(n8n, { path: 'live-fail', name: 'Live Fail', fail: true });
  await fireMany(n8n, 'live-ok', RUNS);
  expect(await fireWebhook(n8n, 'live-fail', { why: 'retry me' })).toBe(500);
});
afterAll(async () => {
  await n8n?.dispose();
});

/** Every execution id n8n lists, read straight from the API. */
async function remoteIds(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ data: { id: string }[]; nextCursor: string | null }>(
      n8n,
      'GET',
      `/executions?limit=250${cursor ? `&cursor=${cursor}` : ''}`,
    );
    ids.push(...page.data.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe('n8n client against a real n8n', () => {
  it('creates, reads, updates, makes live, stops and deletes a workflow with the verbs of its line', async () => {
    const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey });
    expect(await client.line()).toBe(N8N_MAJOR >= 2 ? 2 : 1);
    const created = await client.createWorkflow(webhookWorkflow({ path: 'crud', name: 'CRUD' }));
    expect(created).toMatchObject({ name: 'CRUD', active: false });
    const renamed = await client.updateWorkflow(created.id, { ...webhookWorkflow({ path: 'crud', name: 'CRUD 2' }) });
    expect(renamed.name).toBe('CRUD 2');
    expect(renamed.updatedAt).toBeGreaterThan(created.updatedAt ?? 0);
    // 1.x renews the versionId on every save; 2.x only when nodes or connections change.
    if (N8N_MAJOR >= 2) expect(renamed.versionId).toBe(created.versionId);
    else expect(renamed.versionId).not.toBe(created.versionId);
    const edited = await client.updateWorkflow(created.id, {
      ...webhookWorkflow({ path: 'crud', name: 'CRUD 2', fail: true }),
    });
    expect(edited.versionId).not.toBe(renamed.versionId);
    await client.updateWorkflow(created.id, { ...webhookWorkflow({ path: 'crud', name: 'CRUD 2' }) });

    const live = await client.setWorkflowLive(created.id, true); // /publish on 2.x, /activate on 1.x
    expect(live).toMatchObject({ active: true, activeVersionId: expect.any(String) });
    await expect.poll(() => client.webhookServed('crud'), { timeout: 10_000 }).toBe(true);
    expect((await client.postWebhook('crud', { hello: 'world' })).status).toBe(200);
    expect((await client.setWorkflowLive(created.id, false)).active).toBe(false);
    await expect.poll(() => client.webhookServed('crud'), { timeout: 10_000 }).toBe(false);
    const tag = await client.createTag(`live-${Date.now()}`);
    expect((await client.setWorkflowTags(created.id, [tag.id])).map((t) => t.name)).toEqual([tag.name]);
    expect((await client.listTags()).data.map((t) => t.id)).toContain(tag.id);

    await client.setWorkflowLive(created.id, true);
    if (N8N_MAJOR >= 2) {
      // 2.x refuses to delete a published workflow: the client says so, or unpublishes first.
      const refused = await client.deleteWorkflow(created.id).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/unpublish/) });
      await client.deleteWorkflow(created.id, { unpublishFirst: true });
    } else {
      await client.deleteWorkflow(created.id); // 1.x deletes an active workflow as it is
    }
    const gone = await client.getWorkflow(created.id).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: 'N8N_NOT_FOUND' });
    await client.close();
  });

  it('tells a served webhook apart without starting a run (a bare OPTIONS answers 204 for any path)', async () => {
    const bare = await fetch(`${n8n.baseUrl}/webhook/no-such-path`, { method: 'OPTIONS' });
    expect(bare.status).toBe(204);
    expect(await webhookServed(n8n, 'no-such-path')).toBe(false);
    expect(await webhookServed(n8n, 'live-ok')).toBe(true);
  });

  it('maps a wrong key to N8N_UNAUTHORIZED, never retried', async () => {
    const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: 'not-the-right-key' });
    const error = await client.listExecutions({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'N8N_UNAUTHORIZED', retryable: false });
    await client.close();
  });

  it('retries a failed execution: the new one is linked by retryOf', async () => {
    const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey });
    const failed = (await client.listExecutions({ status: 'error', limit: 10 })).data;
    expect(failed).toHaveLength(1);
    failedId = failed[0]!.id;
    const retried = await client.retryExecution(failedId);
    expect(retried.retryOf).toBe(failedId);
    const listed = await client.getExecution(retried.id);
    expect(listed).toMatchObject({ mode: 'retry', retryOf: failedId, status: 'error' });
    await client.close();
  });
});

describe('instances and sync against a real n8n', () => {
  it('tests the connection: version and latency, or a plain wrong-key answer', async () => {
    const t = testCore();
    try {
      const good = await t.core.call('instances:test', { baseUrl: n8n.baseUrl, apiKey: n8n.apiKey });
      expect(good).toMatchObject({
        ok: true,
        data: { ok: true, healthy: true, authenticated: true, version: N8N_VERSION },
      });
      expect(good.ok && good.data.latencyMs).toBeGreaterThan(0);
      const wrong = await t.core.call('instances:test', { baseUrl: n8n.baseUrl, apiKey: 'wrong-key-0000' });
      expect(wrong).toMatchObject({
        data: { ok: false, healthy: true, authenticated: false, code: 'N8N_UNAUTHORIZED' },
      });
    } finally {
      await t.cleanup();
    }
  });

  it(`syncs more than 250 executions across pages, goes offline when n8n stops mid-sync, and resumes without duplicates`, async () => {
    let stopAfterFirstPage = true;
    const t = testCore({
      n8n: {
        pageSize: 100,
        // Stop n8n once the first page is stored, so the next page meets a dead server.
        onPage: async (_id, progress) => {
          if (stopAfterFirstPage && progress.pages === 1) {
            stopAfterFirstPage = false;
            await n8n.stop();
          }
        },
      },
    });
    try {
      const added = await t.core.call('instances:add', {
        name: 'live',
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: 'test',
        color: '#2f6fed',
        syncEnabled: false,
      });
      if (!added.ok) throw new Error(added.error.message);
      const id = added.data.id;
      const expected = await remoteIds();
      expect(expected.length).toBeGreaterThan(250);

      const broken = await t.core.call('instances:syncNow', { id });
      expect(broken).toMatchObject({ ok: true, data: { outcome: 'failed', errorCode: 'N8N_UNREACHABLE' } });
      // Page 2 may have been in flight (prefetched) when n8n stopped, and n8n finishes what it serves.
      const storedBeforeDrop = broken.ok ? broken.data.executions : 0;
      expect([100, 200]).toContain(storedBeforeDrop);
      const offline = await t.core.call('instances:list', {});
      expect(offline.ok && offline.data.instances[0]?.sync).toMatchObject({ state: 'offline', consecutiveFailures: 1 });
      const partial = await t.core.call('executions:list', { instanceId: id, limit: 500 });
      expect(partial.ok && partial.data.executions).toHaveLength(storedBeforeDrop);

      await n8n.start();
      const resumed = await t.core.call('instances:syncNow', { id });
      expect(resumed).toMatchObject({ ok: true, data: { outcome: 'ok', workflows: 2 } });
      const all = await t.core.call('executions:list', { instanceId: id, limit: 500 });
      if (!all.ok) throw new Error(all.error.message);
      const ids = all.data.executions.map((e) => e.remoteId);
      expect(ids.length).toBe(expected.length);
      expect(new Set(ids)).toEqual(new Set(expected));
      const state = await t.core.call('instances:list', {});
      expect(state.ok && state.data.instances[0]?.sync).toMatchObject({ state: 'ok', consecutiveFailures: 0 });
      // Read beside the passes (n8n answers 404 on its editor page for a while after a restart).
      await expect
        .poll(async () => {
          const r = await t.core.call('instances:list', {});
          return r.ok ? r.data.instances[0]?.sync.n8nVersion : undefined;
        })
        .toBe(N8N_VERSION);

      // A third pass changes nothing.
      expect(await t.core.call('instances:syncNow', { id })).toMatchObject({ data: { outcome: 'ok', executions: 0 } });

      // The retry link and the per-node data of the failed run.
      const retry = all.data.executions.find((e) => e.retryOf === failedId);
      expect(retry).toMatchObject({ mode: 'retry', status: 'failed', workflowName: 'Live Fail' });
      const original = all.data.executions.find((e) => e.remoteId === failedId)!;
      const detail = await t.core.call('executions:get', { id: original.id });
      expect(detail).toMatchObject({
        ok: true,
        data: { execution: { status: 'failed', error: 'deliberate failure' }, note: null },
      });
      const nodes = detail.ok ? (detail.data.nodes ?? []) : [];
      expect(nodes.map((n) => n.node)).toEqual(['Webhook', 'Set', 'Fail']);
      expect(nodes[2]).toMatchObject({ error: 'deliberate failure' });
      expect(nodes[0]?.items).toBe(1);

      const workflows = await t.core.call('workflows:list', { instanceId: id });
      const ok = workflows.ok ? workflows.data.workflows.find((w) => w.id === okWorkflow) : undefined;
      expect(ok).toMatchObject({
        name: 'Live OK',
        active: true,
        webhookPaths: ['live-ok'],
        executionCount: RUNS,
        lastStatus: 'succeeded',
      });
    } finally {
      await t.cleanup();
    }
  });
});

describe('the run-time doors against a real n8n', () => {
  it('starts a run through /webhook/<path> and resumes a waiting one through /webhook-waiting/<id>', async () => {
    const client = new N8nClient({ baseUrl: n8n.baseUrl, apiKey: n8n.apiKey });
    try {
      await createWebhookWorkflow(n8n, { path: 'live-wait', name: 'Live Wait', waitForResume: true });
      const before = Math.max(...(await remoteIds()).map(Number));
      expect((await client.postWebhook('live-wait', { order: 7 })).status).toBe(200);
      // n8n 1.123 leaves waiting executions out of the list (n8n#14748), so look the next id up.
      const id = String(before + 1);
      await expect.poll(async () => (await client.getExecution(id)).status, { timeout: 10_000 }).toBe('waiting');
      const { resumeToken } = await client.waitingState(id);
      if (N8N_MAJOR >= 2) {
        // 2.x resumes only with the execution's token as ?signature=; 1.x has no token.
        expect(resumeToken).toMatch(/^[0-9a-f]{32,}$/);
        expect((await client.resumeWaiting(id, { approved: true })).status).toBe(401);
        expect((await client.getExecution(id)).status).toBe('waiting');
      } else expect(resumeToken).toBeNull();
      expect((await client.resumeWaiting(id, { approved: true }, { signature: resumeToken ?? undefined })).status).toBe(
        200,
      );
      await expect.poll(async () => (await client.getExecution(id)).status, { timeout: 10_000 }).toBe('success');
      // Finished: nothing to resume. Signed (or on 1.x) n8n answers 409; unsigned, 2.x answers 401.
      expect((await client.resumeWaiting(id, {}, { signature: resumeToken ?? undefined })).status).toBe(409);
      expect((await client.resumeWaiting(id, {})).status).toBe(N8N_MAJOR >= 2 ? 401 : 409);
    } finally {
      await client.close();
    }
  });

  it('dispatches to the live version while an edit saved in n8n is not published (2.x), or to the saved one (1.x)', async () => {
    const t = testCore();
    try {
      const id = await createWebhookWorkflow(n8n, { path: 'live-v1', name: 'Live Versions' });
      // Saved in n8n without publishing (the public API's way: publishIfActive=false; 1.x ignores
      // the flag and puts an active workflow's saved version live at once).
      const saved = await fetch(
        `${n8n.baseUrl}/api/v1/workflows/${id}${N8N_MAJOR >= 2 ? '?publishIfActive=false' : ''}`,
        {
          method: 'PUT',
          headers: { 'X-N8N-API-KEY': n8n.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify(webhookWorkflow({ path: 'live-v2', name: 'Live Versions' })),
        },
      );
      expect(saved.status).toBe(200);
      const added = await t.core.call('instances:add', {
        name: 'live',
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment: 'test',
        color: '#2f6fed',
        syncEnabled: false,
      });
      if (!added.ok) throw new Error(added.error.message);
      expect(await t.core.call('instances:syncNow', { id: added.data.id })).toMatchObject({ data: { outcome: 'ok' } });
      const detail = await t.core.call('workflows:get', { instanceId: added.data.id, workflowId: id });
      if (N8N_MAJOR >= 2) {
        expect(detail).toMatchObject({
          ok: true,
          data: { workflow: { webhookPaths: ['live-v1'], draftWebhookPaths: ['live-v2'], draftDiffers: true } },
        });
        expect(await fireWebhook(n8n, 'live-v1')).toBe(200); // what runs is still the published version
        expect(await fireWebhook(n8n, 'live-v2')).toBe(404);
      } else {
        await waitForWebhook(n8n, 'live-v2');
        expect(detail).toMatchObject({
          ok: true,
          data: { workflow: { webhookPaths: ['live-v2'], draftDiffers: false } },
        });
      }
      // Publishing from the console puts the saved version live, with the line's own verb.
      const published = await t.core.call('workflows:setActive', {
        instanceId: added.data.id,
        workflowId: id,
        active: true,
      });
      expect(published).toMatchObject({ ok: true, data: { webhookPaths: ['live-v2'], draftDiffers: false } });
      await waitForWebhook(n8n, 'live-v2');
      expect(await fireWebhook(n8n, 'live-v2')).toBe(200);
      const audit = await t.core.call('audit:list', {});
      expect(audit.ok && audit.data.entries[0]?.action).toBe(N8N_MAJOR >= 2 ? 'workflow.publish' : 'workflow.activate');
    } finally {
      await t.cleanup();
    }
  });
});
