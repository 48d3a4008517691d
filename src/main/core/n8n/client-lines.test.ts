import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { N8nClient } from './client';
import { createWaitingLookup } from './waiting-lookup';

// The client on both n8n lines, against answers shaped like the ones 1.123.81 and 2.41.1 gave
// (../shared/docs/N8N-TEST-INSTANCE.md). The live suite proves the same against real n8n.
const BASE = 'http://n8n.test:5678';
const agents: MockAgent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.close();
});

function setup(version: string | null) {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agents.push(agent);
  const client = new N8nClient({ baseUrl: BASE, apiKey: 'secret-key-1234', dispatcher: agent, sleep: async () => {} });
  client.rememberVersion(version);
  return { pool: agent.get(BASE), client };
}

const workflow = (over: Record<string, unknown> = {}) => ({
  id: 'wf1',
  name: 'Orders',
  active: true,
  nodes: [],
  ...over,
});

describe('one client interface, the verbs of each line', () => {
  it('publishes and unpublishes on 2.x, activates and deactivates on 1.x', async () => {
    const two = setup('2.41.1');
    two.pool
      .intercept({ path: '/api/v1/workflows/wf1/publish', method: 'POST' })
      .reply(200, workflow({ activeVersionId: 'v1' }));
    two.pool
      .intercept({ path: '/api/v1/workflows/wf1/unpublish', method: 'POST' })
      .reply(200, workflow({ active: false }));
    expect((await two.client.setWorkflowLive('wf1', true)).activeVersionId).toBe('v1');
    expect((await two.client.setWorkflowLive('wf1', false)).active).toBe(false);

    const one = setup('1.123.81');
    one.pool.intercept({ path: '/api/v1/workflows/wf1/activate', method: 'POST' }).reply(200, workflow());
    one.pool
      .intercept({ path: '/api/v1/workflows/wf1/deactivate', method: 'POST' })
      .reply(200, workflow({ active: false }));
    expect((await one.client.setWorkflowLive('wf1', true)).active).toBe(true);
    expect((await one.client.setWorkflowLive('wf1', false)).active).toBe(false);
  });

  it('reads the version once when nobody told it, and keeps the 1.x verbs when n8n hides it', async () => {
    const { pool, client } = setup(null);
    const sentry = Buffer.from(JSON.stringify({ release: 'n8n@2.41.1' })).toString('base64');
    pool.intercept({ path: '/rest/settings', method: 'GET' }).reply(200, { data: {} });
    pool.intercept({ path: '/', method: 'GET' }).reply(200, `<meta name="n8n:config:sentry" content="${sentry}">`);
    pool.intercept({ path: '/api/v1/workflows/wf1/publish', method: 'POST' }).reply(200, workflow()).times(2);
    await client.setWorkflowLive('wf1', true);
    await client.setWorkflowLive('wf1', true); // no second version read: the interceptors above are gone
    expect(client.knownVersion).toBe('2.41.1');

    const hidden = setup(null);
    hidden.pool.intercept({ path: '/rest/settings', method: 'GET' }).reply(404, {});
    hidden.pool.intercept({ path: '/api/v1/workflows/wf1/activate', method: 'POST' }).reply(200, workflow());
    expect((await hidden.client.setWorkflowLive('wf1', true)).active).toBe(true);
  });

  it('reads the published version apart from the draft, and the fields 2.x adds', async () => {
    const { pool, client } = setup('2.41.1');
    const node = (path: string) => ({
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      webhookId: path,
      parameters: { path },
    });
    pool.intercept({ path: '/api/v1/workflows/wf1', method: 'GET' }).reply(
      200,
      workflow({
        versionId: 'draft-2',
        versionCounter: 2,
        isArchived: false,
        settings: null,
        nodes: [node('new-path')],
        activeVersionId: 'live-1',
        activeVersion: { versionId: 'live-1', nodes: [node('old-path')], connections: {}, authors: 'x' },
      }),
    );
    const got = await client.getWorkflow('wf1');
    expect(got).toMatchObject({ versionId: 'draft-2', versionCounter: 2, activeVersionId: 'live-1' });
    expect(got.activeVersion?.nodes[0]?.parameters?.path).toBe('old-path');
  });
});

describe('deleting a published workflow on 2.x', () => {
  const refused = { message: 'Cannot delete a published workflow. Unpublish it before deleting.' };

  it('says so by default, and unpublishes first when asked', async () => {
    const { pool, client } = setup('2.41.1');
    pool.intercept({ path: '/api/v1/workflows/wf1', method: 'DELETE' }).reply(409, refused);
    const error = await client.deleteWorkflow('wf1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/unpublish workflow wf1 first/) });

    pool.intercept({ path: '/api/v1/workflows/wf1', method: 'DELETE' }).reply(409, refused);
    pool.intercept({ path: '/api/v1/workflows/wf1/unpublish', method: 'POST' }).reply(200, workflow({ active: false }));
    pool.intercept({ path: '/api/v1/workflows/wf1', method: 'DELETE' }).reply(200, workflow({ active: false }));
    expect((await client.deleteWorkflow('wf1', { unpublishFirst: true })).id).toBe('wf1');
  });

  it('leaves a 409 on 1.x alone (never unpublishes there)', async () => {
    const { pool, client } = setup('1.123.81');
    pool.intercept({ path: '/api/v1/workflows/wf1', method: 'DELETE' }).reply(409, { message: 'busy' });
    const error = await client.deleteWorkflow('wf1', { unpublishFirst: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('busy') });
  });
});

describe('webhook readiness probe', () => {
  it('asks with a CORS preflight and trusts only a listed method', async () => {
    const { pool, client } = setup('2.41.1');
    const preflight = { origin: 'http://flightdeck.invalid', 'access-control-request-method': 'POST' };
    // Not registered: n8n 2.41 answers 500 to a preflight for an unknown path.
    pool.intercept({ path: '/webhook/orders', method: 'OPTIONS', headers: preflight }).reply(500, 'error');
    expect(await client.webhookServed('orders')).toBe(false);
    // Being registered: the path is known but POST not yet.
    pool
      .intercept({ path: '/webhook/orders', method: 'OPTIONS', headers: preflight })
      .reply(204, '', { headers: { 'access-control-allow-methods': 'OPTIONS' } });
    expect(await client.webhookServed('orders')).toBe(false);
    pool
      .intercept({ path: '/webhook/orders', method: 'OPTIONS', headers: preflight })
      .reply(204, '', { headers: { 'access-control-allow-methods': 'OPTIONS, POST' } });
    expect(await client.webhookServed('/orders')).toBe(true);
  });
});

describe('resume tokens', () => {
  it('reads the resume token and status of a waiting execution; signs the resume with it', async () => {
    const { pool, client } = setup('2.41.1');
    pool
      .intercept({ path: '/api/v1/executions/7?includeData=true', method: 'GET' })
      .reply(200, { id: 7, status: 'waiting', data: { resumeToken: 'tok-abc', resultData: {} } });
    expect(await client.waitingState('7')).toEqual({ status: 'waiting', resumeToken: 'tok-abc' });
    pool.intercept({ path: '/webhook-waiting/7?signature=tok-abc', method: 'POST' }).reply(200, { ok: 1 });
    expect((await client.resumeWaiting('7', { approved: true }, { signature: 'tok-abc' })).status).toBe(200);
  });

  it('the lookup asks nothing on 1.x, tells waiting, closed and gone apart on 2.x', async () => {
    const one = setup('1.123.81');
    expect(await createWaitingLookup(() => one.client)('dev', '7')).toEqual({ kind: 'unsigned' });

    const { pool, client } = setup('2.41.1');
    const lookup = createWaitingLookup(() => client);
    pool
      .intercept({ path: '/api/v1/executions/7?includeData=true', method: 'GET' })
      .reply(200, { id: 7, status: 'waiting', data: { resumeToken: 'tok' } });
    pool
      .intercept({ path: '/api/v1/executions/8?includeData=true', method: 'GET' })
      .reply(200, { id: 8, status: 'success', data: { resumeToken: 'tok' } });
    pool.intercept({ path: '/api/v1/executions/9?includeData=true', method: 'GET' }).reply(404, { message: 'gone' });
    expect(await lookup('dev', '7')).toEqual({ kind: 'waiting', resumeToken: 'tok' });
    expect(await lookup('dev', '8')).toEqual({ kind: 'closed', status: 'success' });
    expect(await lookup('dev', '9')).toEqual({ kind: 'gone' });
  });
});

describe('community packages', () => {
  it('lists the node types of installed packages; null where n8n does not tell', async () => {
    const { pool, client } = setup('2.41.1');
    pool
      .intercept({ path: '/api/v1/community-packages', method: 'GET' })
      .reply(200, [{ packageName: 'n8n-nodes-acme', installedNodes: [{ name: 'Acme', type: 'n8n-nodes-acme.acme' }] }]);
    expect(await client.communityNodeTypes()).toEqual(['n8n-nodes-acme.acme']);
    pool.intercept({ path: '/api/v1/community-packages', method: 'GET' }).reply(404, { message: 'not found' });
    expect(await client.communityNodeTypes()).toBeNull();
  });
});
