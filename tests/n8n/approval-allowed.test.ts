/**
 * Issue #19 "allowed approvers or role", live: the Flightdeck node's Request Approval (built by
 * `npm run build:node`, loaded through n8n's custom-extensions folder) names who may decide; in
 * team mode the console refuses anyone else (n8n keeps waiting), lets the named person or role
 * decide, and n8n resumes exactly once. One output and an If-free chain, so it runs on 1.x and 2.x.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Approval } from '../../src/shared/contract';
import { systemClock } from '../../src/main/core/clock';
import { loadOrCreateIngestSecret } from '../../src/main/core/ingest/ingest-secret';
import { silentLogger } from '../../src/main/core/logger';
import { teamCore, type TeamMember } from '../../src/main/core/testing/team-kit';
import { api, createLiveWorkflow, fireWebhook, N8N_MAJOR, startN8n, type N8nInstance } from './harness';
import { data, sawLast, until } from './support';

const PATH = 'fd-allowed';

let n8n: N8nInstance;
let extensions: string;
let team: Awaited<ReturnType<typeof teamCore>>;
let ana: TeamMember;
let bob: TeamMember;
let workflowId: string;

/** Webhook → Request Approval (allowed users and role from the request) → Done. */
function workflow(credential: { id: string; name: string }) {
  const node = (name: string, type: string, typeVersion: number, x: number, parameters: object, extra = {}) => ({
    id: `a11a0000-0000-4000-8000-00000000000${x / 200}`,
    name,
    type,
    typeVersion,
    position: [x, 0],
    parameters,
    ...extra,
  });
  return {
    name: 'Allowed approvers',
    settings: { executionOrder: 'v1' },
    nodes: [
      node(
        'Webhook',
        'n8n-nodes-base.webhook',
        2,
        0,
        { httpMethod: 'POST', path: PATH, responseMode: 'onReceived' },
        { webhookId: 'fd-allowed-hook' },
      ),
      node(
        'Request Approval',
        'CUSTOM.flightdeckApproval',
        1,
        200,
        {
          title: '={{ "Payment " + $json.body.case }}',
          decisionOutputs: 'oneOutput',
          options: { allowedUsers: '={{ $json.body.users }}', allowedRole: '={{ $json.body.role }}' },
        },
        { webhookId: 'fd-allowed-wait', credentials: { flightdeckApi: credential } },
      ),
      node('Done', 'n8n-nodes-base.noOp', 1, 400, {}),
    ],
    connections: {
      Webhook: { main: [[{ node: 'Request Approval', type: 'main', index: 0 }]] },
      'Request Approval': { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
    },
  };
}

interface N8nExecution {
  id: string;
  status: string;
  data?: {
    resultData: { runData: Record<string, { data?: { main: ({ json: Record<string, unknown> }[] | null)[] } }[]> };
  };
}
const execution = (id: string) => api<N8nExecution>(n8n, 'GET', `/executions/${id}?includeData=true`);

async function requested(caseName: string, body: { users: string; role: string }): Promise<Approval> {
  expect(await fireWebhook(n8n, PATH, { case: caseName, ...body })).toBe(200);
  const item = await until(`"${caseName}" in the inbox`, async () => {
    const { items } = await data(team.boss.call('approvals:list', { filter: { status: 'open' } }));
    sawLast(items.map((i) => i.summary));
    return items.find((i) => i.summary === `Payment ${caseName}`);
  });
  // n8n saves the wait a moment after the node registered it.
  await until('n8n to park the execution', async () => {
    const e = await execution(item.remoteExecutionId!);
    sawLast(e.status);
    return e.status === 'waiting' ? true : undefined;
  });
  return item;
}

async function finished(id: string): Promise<N8nExecution> {
  return until(`n8n execution ${id} to finish`, async () => {
    const e = await execution(id);
    sawLast(e.status);
    return ['waiting', 'running', 'new'].includes(e.status) ? undefined : e;
  });
}

async function resumed(id: number): Promise<Approval> {
  return until('the resume to be recorded', async () => {
    const { item } = await data(team.boss.call('approvals:get', { id }));
    sawLast(item.resumeState);
    return item.resumeState === 'resumed' ? item : undefined;
  });
}

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build:node'], { stdio: ['ignore', 'ignore', 'inherit'] });
  extensions = mkdtempSync(join(tmpdir(), 'flightdeck-n8n-extensions-'));
  cpSync(join('n8n-nodes-flightdeck', 'dist'), join(extensions, 'n8n-nodes-flightdeck'), { recursive: true });
  n8n = await startN8n({ customExtensions: extensions });

  team = await teamCore({ clock: systemClock, ingestPort: 0 });
  ana = await team.member('ana', 'approver');
  bob = await team.member('bob', 'approver');
  await data(
    team.boss.call('instances:add', {
      name: 'live',
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: 'test',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  const ingestUrl = (await data(team.boss.call('ingest:info', {}))).url!;
  const secret = loadOrCreateIngestSecret(team.dataDir, silentLogger);
  const credential = await api<{ id: string; name: string }>(n8n, 'POST', '/credentials', {
    name: 'Flightdeck (team console)',
    type: 'flightdeckApi',
    data: { url: ingestUrl, secret, allowedHttpRequestDomains: 'all' },
  });
  workflowId = await createLiveWorkflow(n8n, workflow(credential), PATH);
});

afterAll(async () => {
  await team?.cleanup();
  await n8n?.dispose();
  if (extensions) rmSync(extensions, { recursive: true, force: true });
});

describe(`allowed approvers of the Flightdeck node in n8n ${N8N_MAJOR}.x (team mode)`, () => {
  it('a user outside the list is refused and n8n keeps waiting; the named one decides; n8n resumes once', async () => {
    const item = await requested('named', { users: 'ana', role: '' });
    expect(item.allowed).toEqual({ users: ['ana'], role: null });

    const refused = await bob.call('approvals:decide', { id: item.id, decision: 'approve', comment: 'mine' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/you are bob/) },
    });
    expect((await execution(item.remoteExecutionId!)).status).toBe('waiting');
    expect((await data(bob.call('approvals:get', { id: item.id }))).item).toMatchObject({ status: 'pending' });

    await data(ana.call('approvals:decide', { id: item.id, decision: 'approve', comment: 'checked' }));
    const done = await finished(item.remoteExecutionId!);
    expect(done.status).toBe('success');
    const decision = done.data?.resultData.runData['Request Approval']?.at(-1)?.data?.main[0]?.[0]?.json;
    expect(decision).toMatchObject({ approved: true, decidedBy: 'ana', comment: 'checked' });
    // Exactly once: one resume, the next node ran once, and a late decision changes nothing.
    expect(await resumed(item.id)).toMatchObject({ status: 'approved', decidedBy: 'ana', resumeAttempts: 1 });
    expect(done.data?.resultData.runData.Done).toHaveLength(1);
    expect(await ana.call('approvals:decide', { id: item.id, decision: 'reject' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
  });

  it('a role: an approver is refused, an admin decides (rejects), n8n resumes once', async () => {
    const item = await requested('by role', { users: '', role: 'admin' });
    expect(item.allowed).toEqual({ users: [], role: 'admin' });
    expect(await ana.call('approvals:decide', { id: item.id, decision: 'approve' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect((await execution(item.remoteExecutionId!)).status).toBe('waiting');

    await data(team.boss.call('approvals:decide', { id: item.id, decision: 'reject', comment: 'not this month' }));
    const done = await finished(item.remoteExecutionId!);
    const decision = done.data?.resultData.runData['Request Approval']?.at(-1)?.data?.main[0]?.[0]?.json;
    expect(decision).toMatchObject({ approved: false, decidedBy: 'boss', comment: 'not this month' });
    expect(await resumed(item.id)).toMatchObject({ status: 'rejected', resumeAttempts: 1 });
    const { data: runs } = await api<{ data: N8nExecution[] }>(n8n, 'GET', `/executions?workflowId=${workflowId}`);
    expect(runs.filter((r) => r.status === 'success')).toHaveLength(2);
  });
});
