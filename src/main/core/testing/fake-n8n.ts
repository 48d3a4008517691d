import { MockAgent } from 'undici';

/**
 * A fake n8n public API on an undici MockAgent, for unit tests of the client, sync and
 * contract handlers: workflows and executions in memory, cursor paging like n8n (newest first),
 * and switches to fail or garble answers. Only for tests; the live suite uses a real n8n.
 */
export const FAKE_N8N = 'http://fake-n8n.test:5678';

export interface FakeExecution {
  id: string;
  status: string;
  workflowId: string;
  retryOf?: string | null;
  mode?: string;
  startedAt: string;
  stoppedAt: string | null;
}

export function createFakeN8n(apiKey = 'fake-key-0001') {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const state = {
    workflows: [] as Record<string, unknown>[],
    executions: [] as FakeExecution[],
    /** Answer this status to every API call (e.g. 503 = n8n down) when set. */
    failWith: undefined as number | undefined,
    /** Fail execution list pages after this many have been served (a drop mid-sync). */
    failAfterPages: undefined as number | undefined,
    pagesServed: 0,
    /** Paths requested, in order. */
    requests: [] as string[],
    garble: false,
  };

  const json = (statusCode: number, data: unknown) => ({
    statusCode,
    data: JSON.stringify(data),
    responseOptions: { headers: { 'content-type': 'application/json' } },
  });

  const pool = agent.get(FAKE_N8N);
  pool
    .intercept({ path: '/healthz', method: 'GET' })
    .reply(() => json(state.failWith ?? 200, { status: 'ok' }))
    .persist();
  pool
    .intercept({ path: '/rest/settings', method: 'GET' })
    .reply(() => json(200, { data: { settingsMode: 'public' } }))
    .persist();
  // n8n 1.123 names its release only in the editor page's sentry meta tag.
  const sentry = Buffer.from(JSON.stringify({ dsn: '', release: 'n8n@1.123.81' })).toString('base64');
  pool
    .intercept({ path: '/', method: 'GET' })
    .reply(200, `<html><head><meta name="n8n:config:sentry" content="${sentry}"></head></html>`)
    .persist();
  pool
    .intercept({ path: (p) => p.startsWith('/api/v1/'), method: () => true })
    .reply((opts) => {
      const url = new URL(opts.path, FAKE_N8N);
      state.requests.push(`${opts.method} ${url.pathname}${url.search}`);
      const headers = opts.headers as Record<string, string>;
      if (headers['x-n8n-api-key'] !== apiKey) return json(401, { message: 'unauthorized' });
      if (state.failWith) return json(state.failWith, { message: 'failing on purpose' });
      if (state.garble) return { statusCode: 200, data: '{"data": [{"id": null}]}' };
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const page = (items: unknown[]) => ({
        data: items.slice(offset, offset + limit),
        nextCursor: offset + limit < items.length ? String(offset + limit) : null,
      });
      if (url.pathname === '/api/v1/workflows') return json(200, page(state.workflows));
      if (url.pathname === '/api/v1/executions') {
        if (state.failAfterPages !== undefined && state.pagesServed >= state.failAfterPages)
          return json(503, { message: 'gone' });
        state.pagesServed++;
        const sorted = [...state.executions].sort((a, b) => Number(b.id) - Number(a.id));
        return json(200, page(sorted));
      }
      const execution = /^\/api\/v1\/executions\/(\w+)$/.exec(url.pathname);
      if (execution) {
        const found = state.executions.find((e) => e.id === execution[1]);
        return found ? json(200, { ...found, data: runData(found) }) : json(404, { message: 'not found' });
      }
      const activate = /^\/api\/v1\/workflows\/(\w+)\/(activate|deactivate)$/.exec(url.pathname);
      if (activate) {
        const wf = state.workflows.find((w) => w.id === activate[1]);
        if (!wf) return json(404, { message: 'not found' });
        wf.active = activate[2] === 'activate';
        return json(200, wf);
      }
      return json(404, { message: 'not found' });
    })
    .persist();

  function addWorkflow(id: string, name: string, options: { active?: boolean; tags?: string[]; path?: string } = {}) {
    state.workflows.push({
      id,
      name,
      active: options.active ?? true,
      tags: (options.tags ?? []).map((t, i) => ({ id: String(i), name: t })),
      versionId: `v-${id}`,
      updatedAt: '2026-01-01T00:00:00.000Z',
      nodes: [
        {
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          webhookId: `wh-${id}`,
          parameters: { path: options.path ?? `hook-${id}` },
        },
        { name: 'Set', type: 'n8n-nodes-base.set', parameters: {} },
      ],
    });
  }

  /** Adds `count` executions with increasing ids after the existing ones. */
  function addExecutions(
    count: number,
    workflowId: string,
    status = 'success',
    extra: Partial<FakeExecution> = {},
  ): FakeExecution[] {
    const added: FakeExecution[] = [];
    for (let i = 0; i < count; i++) {
      const id = String(state.executions.length + 1);
      const start = Date.UTC(2026, 0, 1) + Number(id) * 1000;
      const e = {
        id,
        status,
        workflowId,
        mode: 'webhook',
        retryOf: null,
        startedAt: new Date(start).toISOString(),
        stoppedAt: new Date(start + 250).toISOString(),
        ...extra,
      };
      state.executions.push(e);
      added.push(e);
    }
    return added;
  }

  return { agent, state, apiKey, baseUrl: FAKE_N8N, addWorkflow, addExecutions, close: () => agent.close() };
}

function runData(e: FakeExecution) {
  const start = Date.parse(e.startedAt);
  return {
    resultData: {
      ...(e.status === 'error' ? { error: { message: 'deliberate failure' } } : {}),
      runData: {
        Webhook: [{ startTime: start, executionTime: 2, data: { main: [[{ json: {} }]] } }],
        Set: [
          e.status === 'error'
            ? { startTime: start + 2, executionTime: 5, error: { message: 'deliberate failure' } }
            : { startTime: start + 2, executionTime: 5, data: { main: [[{ json: {} }, { json: {} }]] } },
        ],
      },
    },
  };
}
