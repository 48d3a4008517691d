/**
 * The n8n project's global setup: one n8n per line that the test files of a run share (see
 * sharedN8n() in ./harness.ts), served to them by a small control server on loopback.
 *
 * Test files run in worker processes, one after another; the instance lives here, in the main
 * process, so it outlives each file. POST /acquire?version=<v> starts that version on the first
 * call (install included), wipes it (wipeN8n) and answers its address and API key; while it
 * installs or starts the answer is 202 after a slice of waiting, and the caller asks again.
 * Teardown stops and deletes every instance started here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startN8n, wipeN8n, type N8nInstance, type SharedN8nInfo } from './harness';

/** How long one /acquire waits for a start in progress before answering 202. */
const SLICE_MS = 20_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const instances = new Map<string, Promise<N8nInstance>>();
  const started: N8nInstance[] = [];

  const instance = (version: string): Promise<N8nInstance> => {
    let pending = instances.get(version);
    if (!pending) {
      pending = startN8n({ version }).then((n8n) => {
        started.push(n8n);
        return n8n;
      });
      // A failed start is reported to the caller that waits for it; the next caller tries again.
      pending.catch(() => instances.delete(version));
      instances.set(version, pending);
    }
    return pending;
  };

  const acquire = async (url: URL, res: ServerResponse) => {
    const version = url.searchParams.get('version');
    if (!version) throw new Error('name a version: /acquire?version=1.123.81');
    const pending = instance(version);
    let slice: number | NodeJS.Timeout | undefined;
    const ready = await Promise.race([
      pending,
      new Promise<undefined>((r) => (slice = setTimeout(r, SLICE_MS))),
    ]).finally(() => clearTimeout(slice));
    if (ready === undefined) {
      res.writeHead(202).end('starting');
      return;
    }
    await wipeN8n(ready);
    const info: SharedN8nInfo = {
      baseUrl: ready.baseUrl,
      port: ready.port,
      apiKey: ready.apiKey,
      userFolder: ready.userFolder,
      version: ready.version,
      major: ready.major,
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(info));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'POST' || url.pathname !== '/acquire') {
      res.writeHead(404).end();
      return;
    }
    acquire(url, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(error instanceof Error ? (error.stack ?? error.message) : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  project.provide('sharedN8nControl', `http://127.0.0.1:${port}`);

  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // A start still under way is waited for, so its process is stopped too.
    await Promise.allSettled([...instances.values()]);
    await Promise.all(started.map((n8n) => n8n.dispose()));
  };
}
