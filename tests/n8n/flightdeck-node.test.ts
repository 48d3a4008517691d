/**
 * The n8n community node package (n8n-nodes-flightdeck/) in a real n8n: built by
 * `npm run build:node`, loaded through n8n's custom-extensions folder (node types `CUSTOM.…`), and
 * used against a real console. Runs on the line N8N_VERSION names (1.123.81 by default; 2.41.1
 * with N8N_VERSION=2.41.1): on 1.x the approval node uses one output and an If node (n8n 1.x
 * resumes a waiting node on its first output only), on 2.x its Approved and Rejected outputs.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../src/shared/contract';
import { createCore, type Core } from '../../src/main/core/create-core';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { sign } from '../../src/main/core/ingest/signature';
import { silentLogger } from '../../src/main/core/logger';
import { tempDir } from '../../src/main/core/testing/test-core';
import { launchChromium } from '../e2e/console';
import { api, createWebhookWorkflow, N8N_MAJOR, OWNER, startN8n, type N8nInstance } from './harness';
import { data, sawLast, until } from './support';

const TWO_OUTPUTS = N8N_MAJOR >= 2;
const APPROVAL_NODE_ID = 'f1a9e0c2-0000-4000-8000-000000000002';

let n8n: N8nInstance;
let extensions: string;
let core: Core;
let removeDataDir: () => void;
let instanceId: string;
let ingestUrl: string;
let secret: string;
let credential: { id: string; name: string };
let refundMappingId: string;
/** The console's clock runs this far ahead of the wall clock (to reach an expiry without waiting). */
let aheadMs = 0;

type Node = Record<string, unknown>;
/** A workflow node; `extra` carries its id (and webhookId, credentials). */
const node = (
  name: string,
  type: string,
  typeVersion: number,
  x: number,
  y: number,
  parameters: object,
  extra: { id: string } & Record<string, unknown>,
): Node => ({ name, type, typeVersion, position: [x, y], parameters, ...extra });

const setNode = (name: string, id: string, x: number, y: number) =>
  node(
    name,
    'n8n-nodes-base.set',
    3.4,
    x,
    y,
    {
      assignments: { assignments: [{ id: `${id}-a`, name: 'outcome', value: name.toLowerCase(), type: 'string' }] },
      options: {},
    },
    { id },
  );

/**
 * Webhook → Request Approval → Approved | Rejected. On 1.x the node has one output and an If node
 * routes on `$json.approved`.
 */
function approvalWorkflow(path: string, outputs: 'twoOutputs' | 'oneOutput') {
  const nodes: Node[] = [
    node(
      'Webhook',
      'n8n-nodes-base.webhook',
      2,
      0,
      0,
      { httpMethod: 'POST', path, responseMode: 'onReceived' },
      { id: 'f1a9e0c2-0000-4000-8000-000000000001', webhookId: `fd-${path}` },
    ),
    node(
      'Request Approval',
      'CUSTOM.flightdeckApproval',
      1,
      220,
      0,
      {
        title: '={{ "Refund " + $json.body.amount + " EUR to " + $json.body.customer + " (" + $json.body.case + ")" }}',
        summary: 'Refund requested through the shop. Check the order first.',
        fields: {
          field: [
            { name: 'amount', value: '={{ $json.body.amount }}' },
            { name: 'customer', value: '={{ $json.body.customer }}' },
          ],
        },
        priority: 2,
        expireAfter: '={{ $json.body.expireMinutes }}',
        expireUnit: 'minutes',
        onExpiry: 'approve',
        decisionOutputs: outputs,
      },
      { id: APPROVAL_NODE_ID, webhookId: `fd-approval-${path}`, credentials: { flightdeckApi: credential } },
    ),
    setNode('Approved', 'f1a9e0c2-0000-4000-8000-000000000003', 660, -100),
    setNode('Rejected', 'f1a9e0c2-0000-4000-8000-000000000004', 660, 100),
  ];
  const connections: Record<string, unknown> = {
    Webhook: { main: [[{ node: 'Request Approval', type: 'main', index: 0 }]] },
  };
  const branches = [[{ node: 'Approved', type: 'main', index: 0 }], [{ node: 'Rejected', type: 'main', index: 0 }]];
  if (outputs === 'twoOutputs') {
    connections['Request Approval'] = { main: branches };
  } else {
    nodes.push(
      node(
        'Approved?',
        'n8n-nodes-base.if',
        2,
        440,
        0,
        {
          conditions: {
            options: { caseSensitive: true, leftValue: '', typeValidation: 'loose' },
            conditions: [
              {
                id: 'approved',
                leftValue: '={{ $json.approved }}',
                rightValue: '',
                operator: { type: 'boolean', operation: 'true', singleValue: true },
              },
            ],
            combinator: 'and',
          },
          options: {},
        },
        { id: 'f1a9e0c2-0000-4000-8000-000000000005' },
      ),
    );
    connections['Request Approval'] = { main: [[{ node: 'Approved?', type: 'main', index: 0 }]] };
    connections['Approved?'] = { main: branches };
  }
  return { name: `Flightdeck node ${path}`, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** Webhook (answers with the last node's output) → Emit Event. */
function emitWorkflow(path: string) {
  return {
    name: `Flightdeck emit ${path}`,
    settings: { executionOrder: 'v1' },
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        0,
        { httpMethod: 'POST', path, responseMode: 'lastNode' },
        { id: 'e1a9e0c2-0000-4000-8000-000000000001', webhookId: `fd-${path}` },
      ),
      node(
        'Emit Event',
        'CUSTOM.flightdeckEvent',
        1,
        220,
        0,
        {
          event: 'node.emitted',
          payloadSource: 'json',
          payload: '={{ JSON.stringify($json.body) }}',
          idempotencyKey: '={{ $json.body.key }}',
        },
        { id: 'e1a9e0c2-0000-4000-8000-000000000002', credentials: { flightdeckApi: credential } },
      ),
    ],
    connections: { Webhook: { main: [[{ node: 'Emit Event', type: 'main', index: 0 }]] } },
  };
}

/**
 * Webhook → Respond {executionId, resumeUrl} → Hold (15 s in n8n's process: the execution stays
 * 'running') → Wait for the decision: a registration decided before n8n has saved the wait.
 */
function lateWaitWorkflow(path: string) {
  const id = (n: number) => `c1a9e0c2-0000-4000-8000-00000000000${n}`;
  return {
    name: `Late wait ${path}`,
    settings: { executionOrder: 'v1' },
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        0,
        { httpMethod: 'POST', path, responseMode: 'responseNode' },
        { id: id(1), webhookId: `fd-${path}` },
      ),
      node(
        'Respond',
        'n8n-nodes-base.respondToWebhook',
        1.1,
        200,
        0,
        {
          respondWith: 'json',
          responseBody: '={{ JSON.stringify({ executionId: $execution.id, resumeUrl: $execution.resumeUrl }) }}',
        },
        { id: id(2) },
      ),
      node(
        'Hold',
        'n8n-nodes-base.wait',
        1.1,
        400,
        0,
        { resume: 'timeInterval', amount: 15, unit: 'seconds' },
        { id: id(3), webhookId: `fd-hold-${path}` },
      ),
      node(
        'Wait',
        'n8n-nodes-base.wait',
        1.1,
        600,
        0,
        { resume: 'webhook', httpMethod: 'POST', options: {} },
        { id: id(4), webhookId: `fd-wait-${path}` },
      ),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
      Respond: { main: [[{ node: 'Hold', type: 'main', index: 0 }]] },
      Hold: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
    },
  };
}

async function createLive(body: object, path: string): Promise<string> {
  const created = await api<{ id: string }>(n8n, 'POST', '/workflows', body);
  await api(n8n, 'POST', `/workflows/${created.id}/activate`);
  await fire(path, {}, { probeOnly: true });
  return created.id;
}

/**
 * POSTs to /webhook/<path>, retrying while n8n answers 404 (2.x registers webhooks a moment after
 * activation; a 404 starts nothing). `probeOnly`: a CORS preflight, which starts nothing and lists
 * POST once n8n serves the path.
 */
async function fire(path: string, body: unknown, options: { probeOnly?: boolean } = {}) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(
      `${n8n.baseUrl}/webhook/${path}`,
      options.probeOnly
        ? {
            method: 'OPTIONS',
            headers: { origin: 'http://flightdeck.invalid', 'access-control-request-method': 'POST' },
          }
        : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    const text = await res.text();
    const served = options.probeOnly
      ? (res.headers.get('access-control-allow-methods') ?? '').includes('POST')
      : res.status !== 404;
    if (served) return { status: res.status, text };
    if (Date.now() > deadline) throw new Error(`n8n does not serve /webhook/${path}: ${res.status} ${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function inboxItem(caseName: string, status: 'open' | 'all' = 'open'): Promise<Approval> {
  return until(`the inbox to list "${caseName}"`, async () => {
    const { items } = await data(core.call('approvals:list', { filter: { status } }));
    sawLast(items.map((i) => i.summary));
    return items.find((i) => i.summary.includes(`(${caseName})`));
  });
}

interface N8nExecution {
  status: string;
  data?: {
    resumeToken?: string;
    resultData: {
      error?: { message?: string; description?: string };
      runData: Record<string, { data?: { main: ({ json: Record<string, unknown> }[] | null)[] } }[]>;
    };
  };
}
const execution = (id: string) => api<N8nExecution>(n8n, 'GET', `/executions/${id}?includeData=true`);

/** n8n saves the wait once the node returns, a moment after the inbox has the item. */
async function waiting(id: string): Promise<void> {
  await until(`n8n execution ${id} to wait`, async () => {
    const e = await execution(id);
    sawLast(e.status);
    return e.status === 'waiting' ? true : undefined;
  });
}

async function finished(id: string): Promise<N8nExecution> {
  return until(`n8n execution ${id} to finish`, async () => {
    const e = await execution(id);
    sawLast(e.status);
    return ['waiting', 'running', 'new'].includes(e.status) ? undefined : e;
  });
}

/** The decision the approval node continued with, and the branch that ran. */
function outcome(e: N8nExecution) {
  const runData = e.data?.resultData.runData ?? {};
  const outputs = runData['Request Approval']?.at(-1)?.data?.main ?? [];
  const decision = outputs.flatMap((items) => items ?? [])[0]?.json;
  return {
    decision,
    branch: ['Approved', 'Rejected'].filter((name) => name in runData),
    onOutput: outputs.findIndex((items) => (items ?? []).length > 0),
  };
}

const path = TWO_OUTPUTS ? 'fd-node-approval' : 'fd-node-approval-one';
let starterId: string | undefined;

/**
 * The committed starter workflow of this line as is (package node types), with the test's
 * credential chosen: two outputs on 2.x, one output and an If node on 1.x.
 */
const STARTER = TWO_OUTPUTS ? 'refund-approval.json' : 'refund-approval-n8n-1.json';
function starterWorkflow() {
  const starter = JSON.parse(readFileSync(join('n8n-nodes-flightdeck', 'examples', STARTER), 'utf8')) as {
    nodes: Node[];
  };
  for (const n of starter.nodes) {
    if (String(n.type).startsWith('n8n-nodes-flightdeck.')) n.credentials = { flightdeckApi: credential };
  }
  return starter;
}

/** A logged-in session cookie of the owner, as n8n's editor has it. */
async function ownerCookie(): Promise<{ name: string; value: string }[]> {
  const login = await fetch(`${n8n.baseUrl}/rest/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
  });
  expect(login.ok).toBe(true);
  return login.headers.getSetCookie().map((c) => {
    const [pair = ''] = c.split(';');
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

/** Opens the workflow in n8n's editor (Chromium) and waits until the canvas shows every node. */
async function editorShows(workflowId: string, names: string[]) {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 560 } });
    await context.addCookies((await ownerCookie()).map((c) => ({ ...c, url: n8n.baseUrl })));
    const page = await context.newPage();
    await page.goto(`${n8n.baseUrl}/workflow/${workflowId}`);
    for (const name of names) {
      await page.getByText(name, { exact: true }).first().waitFor({ timeout: 60_000 });
    }
    // 2.x opens a "Production Checklist" over a published workflow's canvas: close it as a person would.
    const checklist = page.getByText('Production Checklist', { exact: true });
    if (await checklist.isVisible()) {
      await page.keyboard.press('Escape');
      if (await checklist.isVisible()) await page.mouse.click(1000, 470);
      await checklist.waitFor({ state: 'hidden', timeout: 10_000 });
    }
    const shot = process.env.FLIGHTDECK_N8N_SCREENSHOT;
    if (shot) {
      mkdirSync(dirname(shot), { recursive: true });
      await page.screenshot({ path: shot });
    }
  } finally {
    await browser.close();
  }
}

beforeAll(async () => {
  // The package as the project's scripts build it, copied to a folder of its own (as a user
  // copies dist/ into ~/.n8n/custom), so it resolves n8n-workflow from n8n like any custom node.
  execFileSync('npm', ['run', '--silent', 'build:node'], { stdio: ['ignore', 'ignore', 'inherit'] });
  extensions = mkdtempSync(join(tmpdir(), 'flightdeck-n8n-extensions-'));
  cpSync(join('n8n-nodes-flightdeck', 'dist'), join(extensions, 'n8n-nodes-flightdeck'), { recursive: true });
  n8n = await startN8n({ customExtensions: extensions });

  const dir = tempDir();
  removeDataDir = dir.remove;
  core = createCore({ dataDir: dir.path, clock: { now: () => Date.now() + aheadMs }, ingestPort: 0 });
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
  instanceId = instance.id;
  ingestUrl = (await data(core.call('ingest:info', {}))).url!;
  secret = loadOrCreateIngestSecret(dir.path, silentLogger);

  // No instance id in the credential: the console finds this n8n by the address n8n gives itself.
  // (n8n adds "Allowed HTTP Request Domains" to credentials that authenticate; the public API wants it.)
  const created = await api<{ id: string; name: string }>(n8n, 'POST', '/credentials', {
    name: 'Flightdeck (test console)',
    type: 'flightdeckApi',
    data: { url: ingestUrl, secret, allowedHttpRequestDomains: 'all' },
  });
  credential = { id: created.id, name: created.name };
  await createLive(approvalWorkflow(path, TWO_OUTPUTS ? 'twoOutputs' : 'oneOutput'), path);
  await createLive(emitWorkflow('fd-node-emit'), 'fd-node-emit');
  await createWebhookWorkflow(n8n, { path: 'fd-node-sink', name: 'Sink' });
  await data(
    core.call('mappings:create', { mapping: { event: 'node.emitted', instanceId, webhookPath: 'fd-node-sink' } }),
  );
  const refund = await data(
    core.call('mappings:create', { mapping: { event: 'refund.approved', instanceId, webhookPath: 'fd-node-sink' } }),
  );
  refundMappingId = refund.id;
});

afterAll(async () => {
  await core?.close();
  removeDataDir?.();
  await n8n?.dispose();
  if (extensions) rmSync(extensions, { recursive: true, force: true });
});

describe(`n8n-nodes-flightdeck in n8n ${N8N_MAJOR}.x (custom extensions folder)`, () => {
  it('waits in the inbox with its title and fields, survives an n8n restart, and is approved once', async () => {
    const started = await fire(path, { case: 'approve', amount: 40, customer: 'ana@example.com', expireMinutes: 0 });
    expect(started.status).toBe(200);
    const item = await inboxItem('approve');
    expect(item).toMatchObject({
      kind: 'wait',
      status: 'pending',
      source: 'flightdeck-node',
      instanceId,
      summary: 'Refund 40 EUR to ana@example.com (approve)',
      description: 'Refund requested through the shop. Check the order first.',
      fields: [
        { name: 'amount', value: 40 },
        { name: 'customer', value: 'ana@example.com' },
      ],
      payload: { amount: 40, customer: 'ana@example.com' },
      priority: 2,
      expiresAtMs: null,
    });
    const id = item.remoteExecutionId!;
    await waiting(id);

    // The wait is n8n's own: it outlives a restart of n8n.
    await n8n.stop();
    await n8n.start();
    expect((await execution(id)).status).toBe('waiting');

    await data(core.call('approvals:decide', { id: item.id, decision: 'approve', comment: 'fine' }));
    const done = await finished(id);
    expect(done.status).toBe('success');
    const { decision, branch, onOutput } = outcome(done);
    expect(branch).toEqual(['Approved']);
    expect(onOutput).toBe(0);
    expect(decision).toMatchObject({
      approved: true,
      decision: 'approved',
      comment: 'fine',
      decidedBy: expect.any(String),
    });
    expect(Date.parse(String(decision?.decidedAt))).toBeGreaterThan(0);

    // Exactly once: one delivery, and a second decision changes nothing.
    const resumed = await until('the resume to be recorded', async () => {
      const { items } = await data(core.call('approvals:list', { filter: { status: 'all' } }));
      const it = items.find((i) => i.id === item.id);
      return it?.resumeState === 'resumed' ? it : undefined;
    });
    expect(resumed).toMatchObject({ status: 'approved', resumeAttempts: 1, resumeError: null });
    expect(await core.call('approvals:decide', { id: item.id, decision: 'reject', comment: 'late' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  it('refuses a resume without the node’s token, then is rejected with the comment on the rejected path', async () => {
    await fire(path, { case: 'reject', amount: 900, customer: 'bo@example.com', expireMinutes: 0 });
    const item = await inboxItem('reject');
    const id = item.remoteExecutionId!;
    await waiting(id);
    // Whoever knows n8n's resume address but not the node's token cannot decide.
    const signature = TWO_OUTPUTS ? `?signature=${(await execution(id)).data?.resumeToken ?? ''}` : '';
    const forged = await fetch(`${n8n.baseUrl}/webhook-waiting/${id}/${APPROVAL_NODE_ID}${signature}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approved: true, comment: 'forged', decidedBy: 'mallory' }),
    });
    expect(forged.status).toBe(403);
    expect((await execution(id)).status).toBe('waiting');

    await data(core.call('approvals:decide', { id: item.id, decision: 'reject', comment: 'too much at once' }));
    const done = await finished(id);
    expect(done.status).toBe('success');
    const { decision, branch, onOutput } = outcome(done);
    expect(branch).toEqual(['Rejected']);
    expect(onOutput).toBe(TWO_OUTPUTS ? 1 : 0);
    expect(decision).toMatchObject({ approved: false, decision: 'rejected', comment: 'too much at once' });
  });

  it('expires from the console and follows the chosen action (approve)', async () => {
    await fire(path, { case: 'expire', amount: 5, customer: 'cy@example.com', expireMinutes: 1 });
    const item = await inboxItem('expire');
    expect(item).toMatchObject({ expiryAction: 'approve', expiresAtMs: expect.any(Number) });
    // The console's clock passes the expiry (its background check runs every 10 s).
    aheadMs = 2 * 60_000;
    const done = await finished(item.remoteExecutionId!);
    const { decision, branch } = outcome(done);
    expect(branch).toEqual(['Approved']);
    expect(decision).toMatchObject({ approved: true, decidedBy: 'system', comment: expect.stringMatching(/expired/) });
    expect((await inboxItem('expire', 'all')).status).toBe('expired');
  });

  it('continues at once when an auto-approval rule decides as the request arrives', async () => {
    await data(
      core.call('approvals:saveRule', {
        rule: { name: 'trusted customer', conditions: [{ path: 'customer', op: 'eq', value: 'rule@example.com' }] },
      }),
    );
    await fire(path, { case: 'rule', amount: 3, customer: 'rule@example.com', expireMinutes: 0 });
    const item = await inboxItem('rule', 'all');
    expect(item).toMatchObject({ status: 'approved', decidedBy: expect.stringMatching(/^rule:/) });
    const done = await finished(item.remoteExecutionId!);
    expect(done.status).toBe('success');
    const { decision, branch } = outcome(done);
    expect(branch).toEqual(['Approved']);
    expect(decision).toMatchObject({ approved: true, decision: 'approved', approvalId: item.id });
  });

  it('Emit Event lands in the console queue, signed and acknowledged; its idempotency key holds', async () => {
    const first = await fire('fd-node-emit', { orderId: 81, key: 'order-81' });
    expect(first.status).toBe(200);
    const answer = JSON.parse(first.text) as { event: string; executionIds: number[]; deduplicated: boolean };
    expect(answer).toMatchObject({ event: 'node.emitted', deduplicated: false, idempotencyKey: 'order-81' });
    expect(answer.executionIds).toHaveLength(1);
    const runId = answer.executionIds[0]!;
    const run = await until('the run to reach n8n', async () => {
      const { executions } = await data(core.call('executions:list', { source: 'local' }));
      const found = executions.find((e) => e.id === runId);
      sawLast(found?.status);
      return found?.status === 'succeeded' ? found : undefined;
    });
    expect(run.source).toBe('local');

    const again = JSON.parse((await fire('fd-node-emit', { orderId: 81, key: 'order-81' })).text) as typeof answer;
    expect(again).toMatchObject({ deduplicated: true, executionIds: [runId] });
  });

  it('the credential test passes with the console’s secret and fails with another', async () => {
    const cookie = (await ownerCookie()).map((c) => `${c.name}=${c.value}`).join('; ');
    const test = async (data: Record<string, string>) => {
      const res = await fetch(`${n8n.baseUrl}/rest/credentials/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ credentials: { ...credential, type: 'flightdeckApi', data } }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { status: string; message: string } }).data;
    };
    expect(await test({ url: ingestUrl, secret })).toMatchObject({ status: 'OK' });
    expect(await test({ url: ingestUrl, secret: 'not-the-console-secret' })).toMatchObject({
      status: 'Error',
      message: expect.stringMatching(/another secret/),
    });
    expect(await test({ url: 'http://127.0.0.1:1', secret })).toMatchObject({ status: 'Error' });
  });

  it('a decision made before n8n saved the wait (n8n: 409 "running") is sent again and lands once', async () => {
    await createLive(lateWaitWorkflow('fd-late-wait'), 'fd-late-wait');
    const started = JSON.parse((await fire('fd-late-wait', {})).text) as { executionId: string; resumeUrl: string };
    const body = JSON.stringify({
      instanceId,
      executionId: started.executionId,
      resumeUrl: started.resumeUrl,
      summary: 'Decided early (early)',
    });
    const t = Date.now() + aheadMs;
    const registered = await fetch(`${ingestUrl}/approvals`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-flightdeck-timestamp': String(t),
        'x-flightdeck-signature': sign(secret, t, body),
      },
    });
    expect(registered.status).toBe(201);
    const item = await inboxItem('early');
    await data(core.call('approvals:decide', { id: item.id, decision: 'approve', comment: 'early' }));

    const refused = await until('n8n to refuse the first resume', async () => {
      const { items } = await data(core.call('approvals:list', { filter: { status: 'all' } }));
      const it = items.find((i) => i.id === item.id);
      sawLast(it);
      return it?.resumeAttempts ? it : undefined;
    });
    expect(refused).toMatchObject({ resumeState: 'resuming', resumeError: expect.stringMatching(/still running/) });
    const done = await finished(started.executionId);
    expect(done.status).toBe('success');
    const waited = done.data?.resultData.runData.Wait?.at(-1)?.data?.main[0]?.[0]?.json;
    expect(waited).toMatchObject({ body: { approved: true, comment: 'early' } });
    const resumed = await until('the resume to be recorded', async () => {
      const { items } = await data(core.call('approvals:list', { filter: { status: 'all' } }));
      const it = items.find((i) => i.id === item.id);
      return it?.resumeState === 'resumed' ? it : undefined;
    });
    expect(resumed.resumeAttempts).toBeGreaterThanOrEqual(2);
    expect(resumed.resumeError).toBeNull();
  });

  it.runIf(!TWO_OUTPUTS)('on n8n 1.x refuses two outputs before registering anything', async () => {
    const twoPath = 'fd-node-approval-two';
    const workflowId = await createLive(approvalWorkflow(twoPath, 'twoOutputs'), twoPath);
    const before = (await data(core.call('approvals:list', { filter: { status: 'all' } }))).total;
    await fire(twoPath, { case: 'two', amount: 1, customer: 'di@example.com', expireMinutes: 0 });
    const failed = await until('the execution to fail', async () => {
      const { data: list } = await api<{ data: { id: string; status: string }[] }>(
        n8n,
        'GET',
        `/executions?workflowId=${workflowId}&limit=5`,
      );
      sawLast(list);
      return list.find((e) => e.status === 'error');
    });
    const e = await execution(failed.id);
    expect(JSON.stringify(e.data?.resultData.error)).toMatch(/first output only/);
    expect((await data(core.call('approvals:list', { filter: { status: 'all' } }))).total).toBe(before);
  });

  it('installed as n8n installs a community package, the starter workflow of this line is accepted as committed and drawn by the editor', async () => {
    // What n8n's "Install community node" does with the published package, from a local `npm pack`.
    await n8n.stop();
    const packed = mkdtempSync(join(tmpdir(), 'flightdeck-n8n-pack-'));
    try {
      const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', packed], {
        cwd: 'n8n-nodes-flightdeck',
      })
        .toString()
        .trim();
      const target = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-flightdeck');
      mkdirSync(target, { recursive: true });
      execFileSync('tar', ['-xzf', join(packed, tarball), '-C', target, '--strip-components=1']);
    } finally {
      rmSync(packed, { recursive: true, force: true });
    }
    await n8n.start();
    starterId = await createLive(starterWorkflow(), 'refund-requested');
    // FLIGHTDECK_N8N_SCREENSHOT=docs/n8n-node-workflow.png keeps a picture of the editor (README).
    await editorShows(starterId, [
      'Refund requested',
      'Request Approval',
      ...(TWO_OUTPUTS ? [] : ['Approved?']),
      'Queue the refund',
      'Note the rejection',
    ]);
  });

  it('the starter workflow runs: approved, its refund event reaches the console queue; rejected, its note keeps the reason', async () => {
    expect(starterId).toBeDefined();
    await fire('refund-requested', {
      orderId: 'A-1001',
      amount: 40,
      customer: 'ana@example.com',
      reason: 'Lost parcel',
    });
    const item = await until('the refund in the inbox', async () => {
      const { items } = await data(core.call('approvals:list', { filter: { status: 'open' } }));
      return items.find((i) => i.summary === 'Refund 40 EUR to ana@example.com');
    });
    expect(item).toMatchObject({
      description: 'Order A-1001: Lost parcel',
      fields: [
        { name: 'amount', value: 40 },
        { name: 'customer', value: 'ana@example.com' },
        { name: 'order', value: 'A-1001' },
      ],
      expiryAction: 'reject',
    });
    // Decided at once: n8n may not have saved the wait yet (it answers 409 "running"); the console
    // sends the decision again until the wait takes it.
    await data(core.call('approvals:decide', { id: item.id, decision: 'approve' }));
    const done = await finished(item.remoteExecutionId!);
    expect(done.status).toBe('success');
    const queued = await until('the refund event to be dispatched', async () => {
      const { executions } = await data(
        core.call('executions:list', { mappingId: refundMappingId, search: 'A-1001', source: 'local' }),
      );
      sawLast(executions);
      return executions.find((e) => e.status === 'succeeded');
    });
    expect(queued.source).toBe('local');

    await fire('refund-requested', {
      orderId: 'A-1002',
      amount: 900,
      customer: 'bo@example.com',
      reason: 'Changed mind',
    });
    const second = await until('the second refund in the inbox', async () => {
      const { items } = await data(core.call('approvals:list', { filter: { status: 'open' } }));
      return items.find((i) => i.summary === 'Refund 900 EUR to bo@example.com');
    });
    await waiting(second.remoteExecutionId!);
    await data(
      core.call('approvals:decide', { id: second.id, decision: 'reject', comment: 'Outside the return window' }),
    );
    const rejected = await finished(second.remoteExecutionId!);
    const note = rejected.data?.resultData.runData['Note the rejection']?.at(-1)?.data?.main[0]?.[0]?.json;
    expect(note).toMatchObject({ orderId: 'A-1002', reason: 'Outside the return window' });
    expect(rejected.data?.resultData.runData).not.toHaveProperty(['Queue the refund']);
  });
});
