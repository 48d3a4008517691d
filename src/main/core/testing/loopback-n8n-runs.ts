/**
 * A stand-in for n8n on loopback (a real HTTP server on 127.0.0.1) for unit tests of linking and
 * waits: webhooks that start executions, the public API's executions list and detail, and resume.
 * It hides what real n8n hides (observed on 1.123.81 and 2.41.1, N8N-TEST-INSTANCE.md):
 * - the unfiltered list leaves out running executions on both lines, and waiting ones on 1.x;
 *   `status=running` lists running ones, `status=waiting` lists nothing on 1.x;
 * - execution ids are sequential per instance; run data carries the request headers in the
 *   Webhook node's output and, while waiting, the Wait node on top of the execution stack.
 * Only for tests; the live suite runs a real n8n.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a webhook does when called. */
export type FakeRunMode =
  /** Runs to success before answering (responseMode lastNode). */
  | 'lastNode'
  /** Answers "Workflow was started", then waits on a Wait node resumed by a POST webhook call. */
  | 'wait'
  /** Like `wait`, but the Wait node listens to GET (Flightdeck cannot decide it). */
  | 'waitGet'
  /** Answers at once, then waits 10 minutes (a timed wait). */
  | 'timed'
  /** Answers at once, then runs (hidden from the list) until `finish(id)`. */
  | 'running'
  /** Answers at once naming the execution (a Respond node: {"executionId"}), then waits. */
  | 'respondId'
  /** Answers "Workflow was started" and then crashes: no execution is ever stored. */
  | 'crash';

export interface FakeWorkflow {
  id: string;
  name: string;
  path: string;
  mode: FakeRunMode;
}

export interface FakeRun {
  id: number;
  workflowId: string;
  status: 'running' | 'waiting' | 'success' | 'error';
  startedAt: string;
  stoppedAt: string | null;
  waitTill: string | null;
  headers: Record<string, string>;
  body: unknown;
  waitNode: { resume: string; httpMethod: string } | null;
  resumedWith?: unknown;
}

const API_KEY = 'loopback-key-0001';

export async function startLoopbackN8n(options: { line?: 1 | 2 } = {}) {
  const line = options.line ?? 1;
  const workflows: FakeWorkflow[] = [];
  const runs: FakeRun[] = [];
  let seq = 0;
  const state = {
    /** Answer 503 to every API call (n8n down behind a proxy) when set. */
    down: false,
    /** API requests, `METHOD path?query`. */
    requests: [] as string[],
  };
  const iso = (ms = Date.now()) => new Date(ms).toISOString();

  const summary = (r: FakeRun) => ({
    id: String(r.id),
    finished: r.status === 'success',
    mode: 'webhook',
    retryOf: null,
    retrySuccessId: null,
    status: r.status,
    createdAt: r.startedAt,
    startedAt: r.startedAt,
    stoppedAt: r.stoppedAt,
    workflowId: r.workflowId,
    waitTill: r.waitTill,
  });

  const withData = (r: FakeRun) => {
    const workflow = workflows.find((w) => w.id === r.workflowId);
    const hook = { json: { headers: r.headers, params: {}, query: {}, body: r.body } };
    const item = { json: { received: r.body } };
    const waitNode = r.waitNode && {
      name: 'Wait',
      type: 'n8n-nodes-base.wait',
      typeVersion: 1.1,
      parameters: { resume: r.waitNode.resume, httpMethod: r.waitNode.httpMethod, options: {} },
    };
    // Like n8n, run data is saved at the end (or at a wait): while running, only the trigger's
    // item on the execution stack carries the request.
    const running = r.status === 'running';
    const stack = running
      ? [{ node: { name: 'Webhook', type: 'n8n-nodes-base.webhook' }, data: { main: [[hook]] } }]
      : r.status === 'waiting' && waitNode
        ? [{ node: waitNode, data: { main: [[item]] } }]
        : [];
    return {
      ...summary(r),
      data: {
        resultData: {
          runData: running
            ? {}
            : {
                Webhook: [{ startTime: Date.parse(r.startedAt), data: { main: [[hook]] } }],
                Set: [{ startTime: Date.parse(r.startedAt), data: { main: [[item]] } }],
              },
          ...(running ? {} : { lastNodeExecuted: r.status === 'waiting' ? 'Wait' : 'Set' }),
        },
        executionData: { nodeExecutionStack: stack },
      },
      workflowData: { id: r.workflowId, name: workflow?.name ?? 'unknown', nodes: waitNode ? [waitNode] : [] },
    };
  };

  /** Whether n8n's list shows this execution for the given status filter. */
  const listed = (r: FakeRun, status: string | null) => {
    if (status === 'running') return r.status === 'running';
    if (status === 'waiting') return line === 2 && r.status === 'waiting';
    if (status) return r.status === status;
    if (r.status === 'running') return false;
    return !(line === 1 && r.status === 'waiting');
  };

  function start(workflow: FakeWorkflow, headers: Record<string, string>, body: unknown): FakeRun | null {
    const id = ++seq;
    if (workflow.mode === 'crash') return null; // the id is used, the execution never stored
    const now = Date.now();
    const run: FakeRun = {
      id,
      workflowId: workflow.id,
      status: 'success',
      startedAt: iso(now),
      stoppedAt: iso(now + 5),
      waitTill: null,
      headers,
      body,
      waitNode: null,
    };
    if (workflow.mode === 'running') Object.assign(run, { status: 'running', stoppedAt: null });
    if (workflow.mode === 'wait' || workflow.mode === 'respondId' || workflow.mode === 'waitGet')
      Object.assign(run, {
        status: 'waiting',
        waitTill: '3000-01-01T00:00:00.000Z',
        waitNode: { resume: 'webhook', httpMethod: workflow.mode === 'waitGet' ? 'GET' : 'POST' },
      });
    if (workflow.mode === 'timed')
      Object.assign(run, {
        status: 'waiting',
        waitTill: iso(now + 600_000),
        waitNode: { resume: 'timeInterval', httpMethod: 'GET' },
      });
    runs.push(run);
    return run;
  }

  const send = (res: ServerResponse, status: number, data: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));

  function api(req: IncomingMessage, url: URL, res: ServerResponse) {
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers['x-n8n-api-key'] !== API_KEY) return send(res, 401, { message: 'unauthorized' });
    if (state.down) return send(res, 503, { message: 'down' });
    const path = url.pathname.slice('/api/v1'.length);
    if (path === '/workflows') {
      return send(res, 200, {
        data: workflows.map((w) => ({
          id: w.id,
          name: w.name,
          active: true,
          nodes: [
            { name: 'Webhook', type: 'n8n-nodes-base.webhook', webhookId: `wh-${w.id}`, parameters: { path: w.path } },
          ],
        })),
        nextCursor: null,
      });
    }
    if (path === '/executions') {
      const known = new Set(['status', 'workflowId', 'includeData', 'limit', 'cursor']);
      if (line === 1 && [...url.searchParams.keys()].some((k) => !known.has(k)))
        return send(res, 400, { message: 'unknown query parameter' });
      const status = url.searchParams.get('status');
      const workflowId = url.searchParams.get('workflowId');
      const limit = Math.min(250, Number(url.searchParams.get('limit') ?? 100));
      const below = Number(url.searchParams.get('cursor') ?? Infinity);
      const data = runs
        .filter((r) => listed(r, status) && (!workflowId || r.workflowId === workflowId) && r.id < below)
        .sort((a, b) => b.id - a.id);
      const page = data.slice(0, limit);
      const includeData = url.searchParams.get('includeData') === 'true';
      return send(res, 200, {
        data: page.map((r) => (includeData ? withData(r) : summary(r))),
        nextCursor: data.length > limit ? String(page.at(-1)?.id) : null,
      });
    }
    const one = /^\/executions\/(\d+)$/.exec(path);
    if (one && req.method === 'GET') {
      const run = runs.find((r) => r.id === Number(one[1]));
      if (!run) return send(res, 404, { message: 'Not Found' });
      return send(res, 200, url.searchParams.get('includeData') === 'true' ? withData(run) : summary(run));
    }
    return send(res, 404, { message: 'not found' });
  }

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/api/v1/')) return api(req, url, res);
      if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
      let body: unknown = null;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        return send(res, 400, { message: 'bad json' });
      }
      const hook = /^\/webhook\/(.+)$/.exec(url.pathname);
      const workflow = hook && workflows.find((w) => w.path === hook[1]);
      if (hook && req.method === 'POST') {
        if (!workflow) return send(res, 404, { message: 'not registered' });
        const headers = Object.fromEntries(
          Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
        );
        const run = start(workflow, headers, body);
        if (workflow.mode === 'lastNode') return send(res, 200, { received: body });
        if (workflow.mode === 'respondId') return send(res, 200, { executionId: String(run?.id) });
        return send(res, 200, { message: 'Workflow was started' });
      }
      const resume = /^\/webhook-waiting\/(\d+)$/.exec(url.pathname);
      if (resume && req.method === 'POST') {
        const run = runs.find((r) => r.id === Number(resume[1]));
        if (!run || run.status !== 'waiting' || run.waitNode?.httpMethod !== 'POST')
          return send(res, run ? 409 : 404, { message: 'not waiting' });
        Object.assign(run, { status: 'success', stoppedAt: iso(), waitTill: null, resumedWith: body });
        return send(res, 200, { message: 'resumed' });
      }
      return send(res, 404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    apiKey: API_KEY,
    line,
    state,
    runs,
    addWorkflow(workflow: FakeWorkflow) {
      workflows.push(workflow);
      return workflow;
    },
    setMode(workflowId: string, mode: FakeRunMode) {
      const workflow = workflows.find((w) => w.id === workflowId);
      if (workflow) workflow.mode = mode;
    },
    /** Starts an execution inside n8n (a schedule, a manual run): no Flightdeck headers. */
    startDirect(workflowId: string, body: unknown): FakeRun | null {
      const workflow = workflows.find((w) => w.id === workflowId);
      if (!workflow) throw new Error(`no workflow ${workflowId}`);
      return start(workflow, { 'content-type': 'application/json' }, body);
    },
    /** A running execution ends. */
    finish(id: number, status: 'success' | 'error' = 'success') {
      const run = runs.find((r) => r.id === id);
      if (run) Object.assign(run, { status, stoppedAt: iso() });
    },
    /** GET /executions/{id} calls made so far. */
    probes: () => state.requests.filter((r) => /^GET \/api\/v1\/executions\/\d+/.test(r)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // keep-alive pools would hold it open
      }),
  };
}

export type LoopbackN8n = Awaited<ReturnType<typeof startLoopbackN8n>>;
