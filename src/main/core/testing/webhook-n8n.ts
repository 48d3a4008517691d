import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for one n8n instance, over real HTTP: webhooks that answer per path (and
 * record the exact bytes they received), and the few public API routes the sync and a retry use
 * (workflows, executions, `POST /executions/{id}/retry`). For unit and browser tests of what the
 * console does around n8n; the live suite (tests/n8n) uses a real n8n.
 */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
}

export interface StandInExecution {
  id: string;
  workflowId: string;
  status: 'success' | 'error' | 'waiting' | 'running';
  retryOf: string | null;
  mode: string;
  startedAt: string;
  stoppedAt: string | null;
}

export interface StandInWorkflow {
  id: string;
  name: string;
  active: boolean;
  /** Webhook paths it serves (POST /webhook/<path>). */
  paths: string[];
}

export async function startWebhookN8n(
  options: {
    apiKey?: string;
    /** The status a webhook answers per path; default 200 for a path an active workflow serves, else 404. */
    answer?: (path: string) => number;
    /** Name the started execution in the answer (`{"executionId": "12"}`), as some webhooks do. */
    nameExecution?: boolean;
  } = {},
) {
  const apiKey = options.apiKey ?? 'stand-in-key-0001';
  const state = {
    workflows: [] as StandInWorkflow[],
    executions: [] as StandInExecution[],
    received: [] as ReceivedWebhook[],
    /** What a retried execution ends as. */
    retryStatus: 'success' as StandInExecution['status'],
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const nextId = () => String(state.executions.reduce((max, e) => Math.max(max, Number(e.id)), 0) + 1);

  function addExecution(workflowId: string, status: StandInExecution['status'], retryOf: string | null = null) {
    const now = Date.now();
    const e: StandInExecution = {
      id: nextId(),
      workflowId,
      status,
      retryOf,
      mode: retryOf ? 'retry' : 'webhook',
      startedAt: iso(now),
      stoppedAt: status === 'waiting' || status === 'running' ? null : iso(now + 5),
    };
    state.executions.push(e);
    return e;
  }

  const workflowJson = (w: StandInWorkflow) => ({
    id: w.id,
    name: w.name,
    active: w.active,
    versionId: `v-${w.id}`,
    nodes: w.paths.map((path, i) => ({
      name: `Webhook ${i + 1}`,
      type: 'n8n-nodes-base.webhook',
      webhookId: `wh-${w.id}-${i}`,
      parameters: { path },
    })),
    connections: {},
  });

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname.startsWith('/webhook/')) {
        const path = url.pathname.slice('/webhook/'.length);
        state.received.push({ method: req.method ?? '', path, headers: req.headers, raw });
        const served = state.workflows.find((w) => w.active && w.paths.includes(path));
        const status = options.answer?.(path) ?? (served ? 200 : 404);
        const started = served && status < 500 ? addExecution(served.id, status < 300 ? 'success' : 'error') : null;
        if (status >= 300) return send(status, { message: `answer ${status}` });
        return send(status, {
          message: 'Workflow was started',
          ...(started && options.nameExecution ? { executionId: started.id } : {}),
        });
      }
      if (url.pathname === '/healthz') return send(200, { status: 'ok' });
      if (url.pathname === '/rest/settings') return send(200, { data: { versionCli: '1.123.81' } });
      if (!url.pathname.startsWith('/api/v1/')) return send(404, { message: 'not found' });
      if (req.headers['x-n8n-api-key'] !== apiKey) return send(401, { message: 'unauthorized' });
      if (url.pathname === '/api/v1/workflows')
        return send(200, { data: state.workflows.map(workflowJson), nextCursor: null });
      if (url.pathname === '/api/v1/executions') {
        const workflowId = url.searchParams.get('workflowId');
        const list = state.executions
          .filter((e) => !workflowId || e.workflowId === workflowId)
          .sort((a, b) => Number(b.id) - Number(a.id));
        return send(200, { data: list, nextCursor: null });
      }
      const retry = /^\/api\/v1\/executions\/(\d+)\/retry$/.exec(url.pathname);
      if (retry && req.method === 'POST') {
        const original = state.executions.find((e) => e.id === retry[1]);
        if (!original) return send(404, { message: 'Not Found' });
        if (original.status === 'success')
          return send(400, { message: 'The execution succeeded, so it cannot be retried.' });
        return send(200, addExecution(original.workflowId, state.retryStatus, original.id));
      }
      const one = /^\/api\/v1\/executions\/(\d+)$/.exec(url.pathname);
      if (one) {
        const found = state.executions.find((e) => e.id === one[1]);
        return found ? send(200, found) : send(404, { message: 'Not Found' });
      }
      return send(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    state,
    addWorkflow: (w: StandInWorkflow) => void state.workflows.push(w),
    addExecution,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type WebhookN8n = Awaited<ReturnType<typeof startWebhookN8n>>;
