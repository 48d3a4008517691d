import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createHttpResumePort } from './http-resume';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

it('POSTs the decision as JSON and reports n8n status; a refused connection rejects', async () => {
  const seen: unknown[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url, type: req.headers['content-type'], body: JSON.parse(data) });
      res.writeHead(seen.length === 1 ? 200 : 409).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const resume = createHttpResumePort({ timeoutMs: 5_000 });
  const body = { approved: true, comment: 'ok', decidedBy: 'ana' };
  const url = `http://127.0.0.1:${port}/webhook-waiting/7`;
  expect(await resume({ instanceId: 'dev', resumeUrl: url, body })).toEqual({ status: 200 });
  expect(await resume({ instanceId: 'dev', resumeUrl: url, body })).toEqual({ status: 409 });
  expect(seen[0]).toEqual({ url: '/webhook-waiting/7', type: 'application/json', body });
  await expect(resume({ instanceId: 'dev', resumeUrl: 'http://127.0.0.1:1/x', body })).rejects.toThrow();
  await expect(resume({ instanceId: 'dev', resumeUrl: 'file:///etc/passwd', body })).rejects.toThrow(/Not an HTTP/);
});
