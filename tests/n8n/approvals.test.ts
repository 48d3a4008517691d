import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/main/core/clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { sign } from '../../src/main/core/ingest/signature';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../../src/main/core/testing/test-core';
import { api, createLiveWorkflow, createWebhookWorkflow, N8N_MAJOR, sharedN8n, type N8nInstance } from './harness';
import { data, until } from './support';

// Approvals against a real n8n: a gate holds a run until approved, and an execution parked on a
// Wait node is resumed by the decision: approved → success, rejected → its error path. On n8n 2.x
// a resume needs the execution's signature: a registered `$execution.resumeUrl` carries it, and
// one the console knows only by execution id is signed with n8n's resume token.
let n8n: N8nInstance;

/** Webhook → Respond (execution id + resume URL) → Wait → If approved → Done | Fail. */
function approvalWorkflow(path: string) {
  const node = (
    name: string,
    type: string,
    typeVersion: number,
    x: number,
    parameters: Record<string, unknown>,
    extra = {},
  ) => ({
    id: `00000000-0000-4000-8000-${String(x).padStart(12, '0')}`,
    name,
    type,
    typeVersion,
    position: [x, 0],
    parameters,
    ...extra,
  });
  return {
    name: `Approval ${path}`,
    settings: { executionOrder: 'v1' },
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        { httpMethod: 'POST', path, responseMode: 'responseNode' },
        { webhookId: `fd-${path}` },
      ),
      node('Respond', 'n8n-nodes-base.respondToWebhook', 1.1, 200, {
        respondWith: 'json',
        responseBody: '={{ JSON.stringify({ executionId: $execution.id, resumeUrl: $execution.resumeUrl }) }}',
      }),
      node(
        'Wait',
        'n8n-nodes-base.wait',
        1.1,
        400,
        { resume: 'webhook', httpMethod: 'POST', options: {} },
        { webhookId: `fd-wait-${path}` },
      ),
      node('Approved?', 'n8n-nodes-base.if', 2, 600, {
        conditions: {
          options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' },
          conditions: [
            {
              id: 'approved',
              leftValue: '={{ $json.body.approved }}',
              rightValue: '',
              operator: { type: 'boolean', operation: 'true', singleValue: true },
            },
          ],
          combinator: 'and',
        },
        options: {},
      }),
      node('Done', 'n8n-nodes-base.set', 3.4, 800, { assignments: { assignments: [] }, options: {} }),
      node('Rejected', 'n8n-nodes-base.stopAndError', 1, 1000, { errorMessage: 'rejected by the approver' }),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
      Respond: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
      Wait: { main: [[{ node: 'Approved?', type: 'main', index: 0 }]] },
      'Approved?': {
        main: [[{ node: 'Done', type: 'main', index: 0 }], [{ node: 'Rejected', type: 'main', index: 0 }]],
      },
    },
  };
}

beforeAll(async () => {
  n8n = await sharedN8n();
  await createLiveWorkflow(n8n, approvalWorkflow('fd-approve'), 'fd-approve');
  await createWebhookWorkflow(n8n, { path: 'fd-gated', name: 'Gated' });
});
afterAll(async () => {
  await n8n?.dispose();
});

async function console_(): Promise<{
  core: Core;
  instanceId: string;
  ingestUrl: string;
  secret: string;
  cleanup(): Promise<void>;
}> {
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, ingestPort: 0 });
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
  const { url } = await data(core.call('ingest:info', {}));
  return {
    core,
    instanceId: instance.id,
    ingestUrl: url!,
    secret: loadOrCreateIngestSecret(dir.path, silentLogger),
    cleanup: async () => {
      await core.close();
      dir.remove();
    },
  };
}

/**
 * Starts the approval workflow in n8n and registers its wait with the inbox (the request signed
 * with the ingest secret). `bareUrl`: register `<base>/webhook-waiting/<id>` instead of n8n's own
 * `$execution.resumeUrl`, as the console knows a wait it found by execution id alone.
 */
async function parkAndRegister(c: Awaited<ReturnType<typeof console_>>, summary: string, bareUrl = false) {
  const res = await fetch(`${n8n.baseUrl}/webhook/fd-approve`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  const parked = (await res.json()) as { executionId: string; resumeUrl: string };
  const { executionId } = parked;
  // The Respond to Webhook node answers before the Wait node is saved: n8n 2.x can still say 'running'.
  await until('n8n parked the execution', async () =>
    (await n8nStatus(executionId)).status === 'waiting' ? true : undefined,
  );
  const resumeUrl = bareUrl ? `${n8n.baseUrl}/webhook-waiting/${executionId}` : parked.resumeUrl;
  // 2.x signs $execution.resumeUrl itself; 1.x does not.
  expect(new URL(parked.resumeUrl).searchParams.has('signature')).toBe(N8N_MAJOR >= 2);
  const body = JSON.stringify({ instanceId: c.instanceId, executionId, resumeUrl, summary, payload: { amount: 42 } });
  const t = Date.now();
  const registered = await fetch(`${c.ingestUrl}/approvals`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-flightdeck-timestamp': String(t),
      'x-flightdeck-signature': sign(c.secret, t, body),
    },
  });
  expect(registered.status).toBe(201);
  const { items } = await data(c.core.call('approvals:list', {}));
  const item = items.find((i) => i.summary === summary);
  expect(item).toMatchObject({ kind: 'wait', status: 'pending' });
  return { executionId, approvalId: item!.id };
}

const n8nStatus = (id: string) => api<{ status: string; finished: boolean }>(n8n, 'GET', `/executions/${id}`);

describe('approvals against a real n8n', () => {
  it('resumes a waiting execution: approved → success, rejected → its error path', async () => {
    const c = await console_();
    try {
      const yes = await parkAndRegister(c, 'approve me');
      const no = await parkAndRegister(c, 'reject me');

      await data(c.core.call('approvals:decide', { id: yes.approvalId, decision: 'approve' }));
      await data(c.core.call('approvals:decide', { id: no.approvalId, decision: 'reject', comment: 'not this one' }));
      await until('n8n finished both executions', async () => {
        const [a, b] = await Promise.all([n8nStatus(yes.executionId), n8nStatus(no.executionId)]);
        return a.status !== 'waiting' && b.status !== 'waiting' ? true : undefined;
      });
      expect((await n8nStatus(yes.executionId)).status).toBe('success');
      expect((await n8nStatus(no.executionId)).status).toBe('error');
      const decided = await data(c.core.call('approvals:list', { filter: { status: 'all' } }));
      expect(
        decided.items
          .filter((i) => ['approve me', 'reject me'].includes(i.summary))
          .map((i) => i.status)
          .sort(),
      ).toEqual(['approved', 'rejected']);
      // Deciding again is refused and reaches n8n no second time.
      expect(
        await c.core.call('approvals:decide', { id: yes.approvalId, decision: 'reject', comment: 'late' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'CONFLICT' },
      });
    } finally {
      await c.cleanup();
    }
  });

  it('resumes a wait known only by its execution id: signed with n8n 2.x resume token, exactly once', async () => {
    const c = await console_();
    try {
      const { executionId, approvalId } = await parkAndRegister(c, 'bare url', true);
      await data(c.core.call('approvals:decide', { id: approvalId, decision: 'approve' }));
      await until('n8n finished the execution', async () =>
        (await n8nStatus(executionId)).status === 'success' ? true : undefined,
      );
      const item = await until('the decision recorded as resumed', async () => {
        const { items } = await data(c.core.call('approvals:list', { filter: { status: 'all' } }));
        const found = items.find((i) => i.summary === 'bare url');
        return found?.status === 'approved' ? found : undefined;
      });
      // Delivered on the first attempt: on 2.x an unsigned POST would have been refused (401).
      await expect
        .poll(async () => (await data(c.core.call('approvals:get', { id: item.id }))).item)
        .toMatchObject({ resumeState: 'resumed', resumeError: null, resumeAttempts: 1 });
    } finally {
      await c.cleanup();
    }
  });

  it('holds a gated run until it is approved, then dispatches it to n8n', async () => {
    const c = await console_();
    try {
      await data(
        c.core.call('mappings:create', {
          mapping: { event: 'payout', instanceId: c.instanceId, webhookPath: 'fd-gated', requiresApproval: true },
        }),
      );
      const [runId] = (await data(c.core.call('ingest:emit', { event: 'payout', payload: { amount: 900 } })))
        .executionIds;
      const run = async () =>
        (await data(c.core.call('executions:list', { source: 'local' }))).executions.find((e) => e.id === runId);
      // A drain, not a sleep: an ungated run emitted after it is delivered, so the worker has had
      // its chance, and the gated one is still held.
      await data(
        c.core.call('mappings:create', {
          mapping: { event: 'payout.sentinel', instanceId: c.instanceId, webhookPath: 'fd-gated' },
        }),
      );
      const [sentinelId] = (await data(c.core.call('ingest:emit', { event: 'payout.sentinel', payload: {} })))
        .executionIds;
      await until('the ungated run to be delivered', async () => {
        const list = (await data(c.core.call('executions:list', { source: 'local' }))).executions;
        return list.find((e) => e.id === sentinelId)?.status === 'succeeded' ? true : undefined;
      });
      expect(await run()).toMatchObject({ status: 'awaiting_approval' });
      const { items } = await data(c.core.call('approvals:list', {}));
      await data(c.core.call('approvals:decide', { id: items[0]!.id, decision: 'approve' }));
      expect(
        await until('the approved run to succeed', async () =>
          (await run())?.status === 'succeeded' ? true : undefined,
        ),
      ).toBe(true);
    } finally {
      await c.cleanup();
    }
  });
});
