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
  expect(await resume({ instanceId: 'dev', resumeUrl: url, body })).toEqual({ status: 409 });
  expect(n8n.state.doorCalls[0]).toMatchObject({
    path: `/webhook-waiting/${waiting!.id}`,
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(n8n.state.executions[0]).toMatchObject({ status: 'success', resumedWith: body });
  await expect(resume({ instanceId: 'dev', resumeUrl: 'http://127.0.0.1:1/x', body })).rejects.toThrow();
  await expect(resume({ instanceId: 'dev', resumeUrl: 'file:///etc/passwd', body })).rejects.toThrow(/Not an HTTP/);
});
