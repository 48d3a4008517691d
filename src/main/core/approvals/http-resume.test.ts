import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { WaitingLookup } from '../n8n/waiting-lookup';
import { startTrickleServer } from '../testing/answer-servers';
import { startFakeN8n } from '../testing/fake-n8n';
import { waitUntil } from '../testing/wait';
import { createHttpResumePort, waitingExecutionId } from './http-resume';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

it('POSTs the decision as JSON and reports n8n status; a refused connection rejects', async () => {
  const n8n = await startFakeN8n();
  closers.push(() => n8n.close());
  const [waiting] = n8n.addExecutions(1, 'wf1', 'waiting');
  const resume = createHttpResumePort({ timeoutMs: 5_000 });
  const body = { approved: true, comment: 'ok', decidedBy: 'ana' };
  const url = `${n8n.baseUrl}/webhook-waiting/${waiting!.id}`;
  expect(await resume({ instanceId: 'dev', resumeUrl: url, body })).toEqual({ status: 200 });
  // n8n answers 409 once the execution has finished.
  expect(await resume({ instanceId: 'dev', resumeUrl: url, body })).toEqual({ status: 409, stillRunning: false });
  expect(n8n.state.doorCalls[0]).toMatchObject({
    path: `/webhook-waiting/${waiting!.id}`,
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(n8n.state.executions[0]).toMatchObject({ status: 'success', resumedWith: body });
  await expect(resume({ instanceId: 'dev', resumeUrl: 'http://127.0.0.1:1/x', body })).rejects.toThrow();
  await expect(resume({ instanceId: 'dev', resumeUrl: 'file:///etc/passwd', body })).rejects.toThrow(/Not an HTTP/);
});

it('a resume whose answer trickles a byte at a time ends at its total time limit (its status already said)', async () => {
  const trickle = await startTrickleServer();
  closers.push(() => trickle.close());
  const resume = createHttpResumePort({ timeoutMs: 5_000, totalTimeoutMs: 1_000 });
  const url = `${trickle.url}/webhook-waiting/9`;
  // n8n's 200 came at once; the endless body is dropped at the limit instead of holding the resumer.
  expect(
    await resume({ instanceId: 'dev', resumeUrl: url, body: { approved: true, comment: null, decidedBy: 'ana' } }),
  ).toEqual({ status: 200 });
  await waitUntil('the trickle to see the resumer leave', () => trickle.cutShort === 1);
  expect(trickle.requests).toBe(1);
});

/**
 * A stand-in for n8n 2.x's /webhook-waiting/<id> (as 2.41.1 answered): a waiting execution
 * resumes only with ?signature=<its token>; once finished, the right token gets 409 and none 401.
 */
async function signedN8n() {
  const executions = new Map<string, { status: 'waiting' | 'success'; token: string }>([
    ['7', { status: 'waiting', token: 'tok-7' }],
    ['8', { status: 'success', token: 'tok-8' }],
  ]);
  const posts: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      posts.push(`${url.pathname}${url.search}`);
      const execution = executions.get(url.pathname.split('/')[2] ?? '');
      if (!execution) return void res.writeHead(404).end('{}');
      if (url.searchParams.get('signature') !== execution.token)
        return void res.writeHead(401).end('{"error":"Invalid token"}');
      if (execution.status !== 'waiting') return void res.writeHead(409).end('{}');
      execution.status = 'success';
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => void server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lookups: string[] = [];
  const lookup: WaitingLookup = async (_instanceId, id, options = {}) => {
    lookups.push(`${id}${options.always ? ' always' : ''}`);
    const e = executions.get(id);
    if (!e) return { kind: 'gone' };
    return e.status === 'waiting' ? { kind: 'waiting', resumeToken: e.token } : { kind: 'closed', status: e.status };
  };
  return { base, executions, posts, lookups, lookup };
}

const decision = { approved: true, comment: null, decidedBy: 'ana' };

it('signs a bare resume URL with the execution token (n8n 2.x), once; a second delivery is 409', async () => {
  const n8n = await signedN8n();
  const resume = createHttpResumePort({ timeoutMs: 5_000, lookup: n8n.lookup });
  const url = `${n8n.base}/webhook-waiting/7`;
  expect(await resume({ instanceId: 'prod', resumeUrl: url, body: decision })).toEqual({ status: 200 });
  expect(n8n.posts).toEqual(['/webhook-waiting/7?signature=tok-7']);
  // Redelivered after a crash: the lookup sees it closed and nothing is posted again.
  expect(await resume({ instanceId: 'prod', resumeUrl: url, body: decision })).toEqual({ status: 409, closed: true });
  expect(n8n.posts).toHaveLength(1);
  // Unknown to n8n: 404, nothing posted.
  expect(await resume({ instanceId: 'prod', resumeUrl: `${n8n.base}/webhook-waiting/99`, body: decision })).toEqual({
    status: 404,
  });
  expect(n8n.posts).toHaveLength(1);
});

it('posts a registered, already-signed URL as it is; a 401 for a closed execution reports it closed', async () => {
  const n8n = await signedN8n();
  const resume = createHttpResumePort({ timeoutMs: 5_000, lookup: n8n.lookup });
  const signed = `${n8n.base}/webhook-waiting/7?signature=tok-7`;
  expect(await resume({ instanceId: 'prod', resumeUrl: signed, body: decision })).toEqual({ status: 200 });
  expect(n8n.lookups).toEqual([]); // no lookup needed
  expect(await resume({ instanceId: 'prod', resumeUrl: signed, body: decision })).toEqual({
    status: 409,
    stillRunning: false,
  });
  // A stale signature on a finished execution: 401, then the lookup says closed.
  const stale = `${n8n.base}/webhook-waiting/8?signature=old`;
  expect(await resume({ instanceId: 'prod', resumeUrl: stale, body: decision })).toEqual({ status: 401, closed: true });
  expect(n8n.lookups).toEqual(['8 always']);
});

it('re-signs once when a registered signature is stale but the execution still waits', async () => {
  const n8n = await signedN8n();
  const resume = createHttpResumePort({ timeoutMs: 5_000, lookup: n8n.lookup });
  const stale = `${n8n.base}/webhook-waiting/7?signature=from-an-earlier-wait`;
  expect(await resume({ instanceId: 'prod', resumeUrl: stale, body: decision })).toEqual({ status: 200 });
  expect(n8n.posts).toEqual([
    '/webhook-waiting/7?signature=from-an-earlier-wait',
    '/webhook-waiting/7?signature=tok-7',
  ]);
});

it('without a lookup (n8n 1.x wiring) a bare URL is posted unsigned, as before', async () => {
  const n8n = await signedN8n();
  const resume = createHttpResumePort({ timeoutMs: 5_000 });
  expect(await resume({ instanceId: 'prod', resumeUrl: `${n8n.base}/webhook-waiting/7`, body: decision })).toEqual({
    status: 401,
  });
  expect(waitingExecutionId(new URL('http://h/n8n/webhook-waiting/12/node-1?approved=true'))).toBe('12');
  expect(waitingExecutionId(new URL('http://h/webhook/12'))).toBeNull();
});

it('posts nothing while n8n reports the execution running, not waiting yet (2.x lookup): the decision stays owed', async () => {
  const n8n = await signedN8n();
  const lookup: WaitingLookup = async () => ({ kind: 'running' });
  const resume = createHttpResumePort({ timeoutMs: 5_000, lookup });
  expect(await resume({ instanceId: 'prod', resumeUrl: `${n8n.base}/webhook-waiting/7`, body: decision })).toEqual({
    status: 409,
    stillRunning: true,
  });
  expect(n8n.posts).toEqual([]);
});

it('tells a 409 for an execution still running (its wait not saved yet) from one for a finished execution', async () => {
  // n8n's own answers (1.123 and 2.x): the running one, and a large body that is not read to its end.
  const answers = [
    JSON.stringify({ code: 409, message: 'The execution "8" is running already.' }),
    JSON.stringify({ code: 409, message: 'The execution "8 has finished already.' }),
    JSON.stringify({ code: 409, message: 'x'.repeat(1_000_000) + ' is running already.' }),
  ];
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(409, { 'content-type': 'application/json' }).end(answers.shift());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const resume = createHttpResumePort({ timeoutMs: 5_000 });
  const request = {
    instanceId: 'dev',
    resumeUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook-waiting/8/node`,
    body: { approved: true, comment: '', decidedBy: 'ana' },
  };
  expect(await resume(request)).toEqual({ status: 409, stillRunning: true });
  expect(await resume(request)).toEqual({ status: 409, stillRunning: false });
  expect(await resume(request)).toEqual({ status: 409, stillRunning: false });
});
