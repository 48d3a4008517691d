import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startFakeN8n } from '../testing/fake-n8n';
import { createHttpResumePort } from './http-resume';

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
