import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small n8n on a real loopback port for the fuzz suite: enough of the public API (workflows,
 * executions, tags, variables) and of the run-time doors (webhook, webhook-waiting) that every
 * contract call reaching n8n gets a plausible answer. It counts requests in flight so the suite
 * can tell when the core's background work (dispatch, resumes) has settled.
 */
export const LOOPBACK_API_KEY = 'fuzz-api-key-0001';

interface Workflow {
  id: string;
  name: string;
  active: boolean;
  nodes: Record<string, unknown>[];
  connections: Record<string, unknown>;
  settings: Record<string, unknown>;
  tags: { id: string; name: string }[];
  versionId: string;
  createdAt: string;
  updatedAt: string;
}

interface Execution {
  id: string;
  status: string;
  workflowId: string;
  mode: string;
  finished: boolean;
  startedAt: string;
  stoppedAt: string | null;
  retryOf: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function seedWorkflows(): Workflow[] {
  const at = iso(Date.UTC(2025, 11, 1));
  const webhook = (path: string) => ({
    id: `node-${path}`,
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    parameters: { path, httpMethod: 'POST' },
    webhookId: `hook-${path}`,
  });
  const set = {
    id: 'node-set',
    name: 'Set',
    type: 'n8n-nodes-base.set',
    typeVersion: 3,
    position: [200, 0],
    parameters: {},
  };
  const wait = {
    id: 'node-wait',
    name: 'Wait',
    type: 'n8n-nodes-base.wait',
    typeVersion: 1,
    position: [200, 0],
    parameters: { resume: 'webhook' },
  };
  const main = (to: string) => ({ Webhook: { main: [[{ node: to, type: 'main', index: 0 }]] } });
  return [
    {
      id: 'wf-orders',
      name: 'Orders',
      active: true,
      nodes: [webhook('orders/new'), set],
      connections: main('Set'),
      settings: { executionOrder: 'v1' },
      tags: [{ id: 'tag-1', name: 'prod' }],
      versionId: 'v-orders-1',
      createdAt: at,
      updatedAt: at,
    },
    {
      id: 'wf-refunds',
      name: 'Refunds',
      active: false,
      nodes: [webhook('refunds'), wait],
      connections: main('Wait'),
      settings: {},
      tags: [],
      versionId: 'v-refunds-1',
      createdAt: at,
      updatedAt: at,
    },
  ];
}

function seedExecutions(): Execution[] {
  const base = Date.UTC(2025, 11, 31, 12);
  const statuses = ['success', 'error', 'success', 'waiting', 'crashed', 'success'];
  return statuses.map((status, i) => ({
    id: String(100 + i),
    status,
    workflowId: i % 2 === 0 ? 'wf-orders' : 'wf-refunds',
    mode: 'webhook',
    finished: status === 'success',
    startedAt: iso(base + i * 60_000),
    stoppedAt: status === 'waiting' ? null : iso(base + i * 60_000 + 1_500),
    retryOf: null,
  }));
}

export interface LoopbackN8n {
  url: string;
  port: number;
  /** Requests received but not answered yet. */
  readonly inFlight: number;
  /** Requests received since start. */
  readonly served: number;
  close(): Promise<void>;
}

export async function startLoopbackN8n(): Promise<LoopbackN8n> {
  const workflows = seedWorkflows();
  const executions = seedExecutions();
  const tags = [{ id: 'tag-1', name: 'prod' }];
  const variables = [{ id: 'var-1', key: 'REGION', value: 'eu', type: 'string' }];
  let nextId = 1000;
  let inFlight = 0;
  let served = 0;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const page = <T>(items: T[], url: URL) => {
    const limit = Math.max(1, Math.min(250, Number(url.searchParams.get('limit') ?? 100) || 100));
    const offset = Number(url.searchParams.get('cursor') ?? 0) || 0;
    const next = offset + limit < items.length ? String(offset + limit) : null;
    return { data: items.slice(offset, offset + limit), nextCursor: next };
  };
  const withData = (e: Execution) => ({
    ...e,
    data: {
      resultData: {
        runData: {
          Webhook: [{ startTime: Date.parse(e.startedAt), executionTime: 3, data: { main: [[{ json: {} }]] } }],
        },
      },
    },
  });

  function api(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): void {
    if (req.headers['x-n8n-api-key'] !== LOOPBACK_API_KEY) return send(res, 401, { message: 'unauthorized' });
    const path = url.pathname.slice('/api/v1'.length);
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [kind, id, action] = parts;
    const record = (body ?? {}) as Partial<Workflow>;
    if (kind === 'workflows') {
      if (!id) {
        if (req.method === 'POST') {
          const wf: Workflow = {
            id: `wf-${nextId++}`,
            name: String(record.name ?? 'Untitled'),
            active: false,
            nodes: Array.isArray(record.nodes) ? record.nodes : [],
            connections: record.connections ?? {},
            settings: record.settings ?? {},
            tags: [],
            versionId: `v-${nextId++}`,
            createdAt: iso(Date.now()),
            updatedAt: iso(Date.now()),
          };
          workflows.push(wf);
          return send(res, 200, wf);
        }
        return send(res, 200, page(workflows, url));
      }
      const wf = workflows.find((w) => w.id === id);
      if (!wf) return send(res, 404, { message: 'Not Found' });
      if (action === 'activate' || action === 'deactivate') {
        wf.active = action === 'activate';
        return send(res, 200, wf);
      }
      if (action === 'tags') return send(res, 200, wf.tags);
      if (req.method === 'PUT') {
        Object.assign(wf, {
          name: String(record.name ?? wf.name),
          nodes: Array.isArray(record.nodes) ? record.nodes : wf.nodes,
          connections: record.connections ?? wf.connections,
          settings: record.settings ?? wf.settings,
          versionId: `v-${nextId++}`,
          updatedAt: iso(Date.now()),
        });
        return send(res, 200, wf);
      }
      return send(res, 200, wf);
    }
    if (kind === 'executions') {
      if (!id) {
        const status = url.searchParams.get('status');
        const workflowId = url.searchParams.get('workflowId');
        const list = executions
          .filter((e) => (!status || e.status === status) && (!workflowId || e.workflowId === workflowId))
          .sort((a, b) => Number(b.id) - Number(a.id));
        return send(res, 200, page(list, url));
      }
      const execution = executions.find((e) => e.id === id);
      if (!execution) return send(res, 404, { message: 'Not Found' });
      if (action === 'retry') {
        const retry = { ...execution, id: String(nextId++), retryOf: execution.id, status: 'success', mode: 'retry' };
        executions.push(retry);
        return send(res, 200, retry);
      }
      return send(res, 200, url.searchParams.get('includeData') === 'true' ? withData(execution) : execution);
    }
    if (kind === 'tags') {
      if (req.method === 'POST') {
        const tag = { id: `tag-${nextId++}`, name: String((body as { name?: unknown })?.name ?? 'tag') };
        tags.push(tag);
        return send(res, 200, tag);
      }
      return send(res, 200, page(tags, url));
    }
    if (kind === 'variables') {
      if (req.method === 'POST') {
        const v = body as { key?: unknown; value?: unknown };
        variables.push({ id: `var-${nextId++}`, key: String(v?.key), value: String(v?.value), type: 'string' });
        res.writeHead(201).end();
        return;
      }
      return send(res, 200, page(variables, url));
    }
    return send(res, 404, { message: 'Not Found' });
  }

  const server = createServer((req, res) => {
    inFlight++;
    served++;
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://loopback');
      let body: unknown;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
      if (url.pathname === '/rest/settings') return send(res, 200, { data: { versionCli: '1.123.81' } });
      if (url.pathname.startsWith('/api/v1/')) return api(req, res, url, body);
      if (url.pathname.startsWith('/webhook-waiting/')) return send(res, 200, { resumed: true });
      if (url.pathname.startsWith('/webhook/')) return send(res, 200, { received: true, executionId: '4242' });
      return send(res, 404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get inFlight() {
      return inFlight;
    },
    get served() {
      return served;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
