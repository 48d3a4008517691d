/**
 * One fake n8n for every test: a real HTTP server on 127.0.0.1 (a free port) that speaks the part
 * of n8n 1.123's public API and run-time doors Flightdeck uses, with n8n's own status codes and
 * error bodies:
 *
 * - `GET /healthz`, `GET /rest/settings`, `GET /` (the editor page naming the release);
 * - `/api/v1/workflows` (list with cursor paging, get, create, update, delete, activate,
 *   deactivate, tags), `/api/v1/tags`, `/api/v1/variables` (403 without the licence, like a
 *   community n8n), `/api/v1/executions` (list newest first with cursor paging and filters, get
 *   with or without data, delete, retry), `/api/v1/credentials` (create, delete; never their
 *   data), `POST /api/v1/audit` (the credentials report: every credential by id and name);
 * - `POST /webhook/<path>` runs an active workflow with a Webhook node on that path, and
 *   `POST /webhook-waiting/<id>` resumes one parked on a Wait node.
 *
 * A run's outcome follows the workflow's nodes, as with the live suite's fixtures
 * (tests/n8n/harness.ts `webhookWorkflow`): a Stop and Error node fails it, a Wait node ("resume
 * on webhook call") parks it as `waiting`, anything else succeeds. What it does is pinned by
 * n8n-spec.ts, which runs against this fake (fake-n8n.test.ts) and against a real n8n
 * (tests/n8n/n8n-spec.test.ts). The switches in `state` (failWith, garble, doorFault, dropRuns,
 * cutRuns: a call cut as 2.x stops, leaving a `crashed` execution that ran no node…) go
 * beyond n8n on purpose, to let a test make n8n misbehave; `stop()`/`start()` take it off the
 * network and back on the same port, as a restart would.
 *
 * Timed waits (a run kept in memory and left out of the list, or parked until its time), Respond
 * to Webhook answers, n8n's refusals of a resume, the run data it saves (the request, the wait's
 * execution stack, `workflowData`) and paging executions by id live in fake-n8n-runs.ts, with
 * `addRunWorkflow` for tests of linking and waits.
 *
 * With a 2.x `version` it behaves like n8n 2.41.1 where the lines differ: `/publish` and
 * `/unpublish` (with `/activate`, `/deactivate` as aliases), `GET /credentials` (1.123 answers 405), a published version
 * (`activeVersion`) kept apart from the saved draft that webhooks do not run until published, a
 * `versionId` kept by a save that changes neither nodes nor connections, no delete of a published
 * workflow (409), `?signature=<resumeToken>` required on `/webhook-waiting/<id>` (401 otherwise;
 * `data.resumeToken` on the execution), and `GET /community-packages`. On both lines `updatedAt`
 * moves on every save and `activeVersion` names what runs (1.123 reports it too).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PROBE_PATH } from '../instances/health-probe';
import { pageById, resumeRefusal, respondNodeReply, timedWaitMs, PARK_AFTER_MS, withRunDetail } from './fake-n8n-runs';

export const FAKE_N8N_VERSION = '1.123.81';

export interface FakeNode {
  name: string;
  type: string;
  webhookId?: string;
  parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FakeWorkflow {
  id: string;
  name: string;
  active: boolean;
  nodes: FakeNode[];
  connections: Record<string, unknown>;
  settings: Record<string, unknown>;
  tags: FakeTag[];
  versionId: string;
  createdAt: string;
  updatedAt: string;
  /** The version n8n runs (the published one on 2.x); null when not live. */
  activeVersion?: FakeVersion | null;
  isArchived?: boolean;
  [key: string]: unknown;
}

/** One saved version of a workflow's nodes and connections. */
export interface FakeVersion {
  versionId: string;
  nodes: FakeNode[];
  connections: Record<string, unknown>;
}

/** A credential as n8n stores it; `data` (the secret) never leaves the fake. */
export interface FakeCredential {
  id: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface FakeTag {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeExecution {
  id: string;
  status: string;
  workflowId: string;
  mode?: string;
  retryOf?: string | null;
  retrySuccessId?: string | null;
  startedAt: string;
  stoppedAt: string | null;
  createdAt?: string;
  waitTill?: string | null;
  /** What the webhook received (the run's input). */
  input?: unknown;
  /** 2.x: the token `/webhook-waiting/<id>?signature=` must carry. */
  resumeToken?: string;
  /** The request headers the webhook received (in the Webhook node's output, as n8n keeps them). */
  headers?: Record<string, string>;
  /** The body that resumed it, for executions that waited. */
  resumedWith?: unknown;
  /** The nodes it ran with (a retry without loadWorkflow runs these again). */
  nodes?: FakeNode[];
  /** Recorded but no node of it ran (a call cut as n8n stopped): no run data, the trigger's item on the stack. */
  ranNothing?: boolean;
}

/** One request to a run-time door (/webhook/… or /webhook-waiting/…). */
export interface DoorCall {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The body exactly as received. */
  raw: string;
}

/** One HTTP request as it arrived (any door: API, run-time, health), headers included. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A scripted answer that replaces n8n's own (a test making n8n misbehave). */
export interface FaultAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Waits this long before answering (for timeouts). */
  delayMs?: number;
}

export interface FakeN8nState {
  workflows: FakeWorkflow[];
  executions: FakeExecution[];
  tags: FakeTag[];
  credentials: FakeCredential[];
  variables: { id: string; key: string; value: string; type: string }[];
  /** Community n8n answers 403 to /variables; true acts like a licensed one. */
  variablesLicensed: boolean;
  /** 1.x leaves waiting executions out of the list (n8n #14748); false acts like 2.x. */
  hideWaitingFromList: boolean;
  /** Drops every connection at once, as if n8n were down (a synchronous stop()). */
  offline: boolean;
  /** Every API call (and /healthz) answers this status when set (e.g. 503: n8n failing). */
  failWith: number | undefined;
  /** Execution list pages fail with 503 after this many were served (a drop mid-sync). */
  failAfterPages: number | undefined;
  pagesServed: number;
  /** API answers a 200 with a body of the wrong shape. */
  garble: boolean;
  /** API requests in order, `METHOD /api/v1/path?query`. */
  requests: string[];
  /** The bodies of API writes (POST, PUT), in order. */
  writes: { method: string; path: string; body: unknown }[];
  /** Every call to a run-time door, in order (health probes apart). */
  doorCalls: DoorCall[];
  /** Instance health's probes (GET /webhook/flightdeck-health-probe): kept apart, they start no run. */
  probeCalls: number;
  /**
   * Scripted door answers: return one to answer instead of n8n (`n` counts the calls to the
   * same path, from 1), or undefined to let the fake behave like n8n.
   */
  doorFault: ((call: DoorCall, n: number) => FaultAnswer | undefined) | undefined;
  /** 2.x: node types of the installed community packages (GET /community-packages). */
  communityNodeTypes: string[];
  /**
   * Workflow ids whose webhook runs n8n acknowledges and then loses (as if it crashed before
   * storing them): the execution id is used up, no execution is ever stored.
   */
  dropRuns: Set<string>;
  /**
   * Workflow ids whose webhook calls n8n 2.x cuts as it stops (observed on 2.41.1: a stop past
   * its grace, or a kill, while calls are in flight): the connection closes without an answer,
   * and the execution n8n had recorded is marked `crashed` with no run data (only the trigger's
   * item on its stack), since no node of it started.
   */
  cutRuns: Set<string>;
  /**
   * Every HTTP request on arrival, headers included (what an API key was sent to, and where):
   * API, run-time doors, health and unknown paths alike.
   */
  received: ReceivedRequest[];
  /**
   * Holds an API request (given as in `requests`) until the promise it returns settles, as a slow
   * n8n would; undefined answers at once. A held request is in `received` on arrival and in
   * `requests` only once it is answered.
   */
  apiHold: ((request: string) => Promise<unknown> | undefined) | undefined;
  /** HTTP requests received since start (every door), and those not answered yet. */
  served: number;
  inFlight: number;
}

export interface AddWorkflowOptions {
  /** Default true. */
  active?: boolean;
  /** Tag names (created when new). */
  tags?: string[];
  /** The default Webhook node's path (default hook-<id>). */
  path?: string;
  nodes?: FakeNode[];
  connections?: Record<string, unknown>;
  settings?: Record<string, unknown>;
}

export interface FakeN8n {
  /** http://127.0.0.1:<port>, no trailing slash. */
  baseUrl: string;
  port: number;
  apiKey: string;
  version: string;
  state: FakeN8nState;
  /** Adds a credential as someone in n8n's editor would. */
  addCredential(name: string, type: string, data?: Record<string, unknown>): FakeCredential;
  /** Puts a workflow into n8n as if someone made it in the editor (active unless told otherwise). */
  addWorkflow(id: string, name: string, options?: AddWorkflowOptions): FakeWorkflow;
  /** Adds `count` finished executions with increasing ids, one second apart from 2026-01-01. */
  addExecutions(count: number, workflowId: string, status?: string, extra?: Partial<FakeExecution>): FakeExecution[];
  /**
   * Edits and saves a workflow as someone in n8n's editor would: updatedAt moves; a new versionId
   * (on 2.x only when nodes or connections changed). On 2.x the edit stays a draft until
   * published; on 1.x an active workflow runs it at once.
   */
  editWorkflow(id: string, edit: (wf: FakeWorkflow) => void): FakeWorkflow;
  /** Makes a workflow live as n8n's editor would (publish on 2.x, activate on 1.x). */
  publishWorkflow(id: string): FakeWorkflow;
  /**
   * Ends a run n8n still runs in memory (a short timed Wait) or one parked on a wait, as its
   * wait running out would: `success` unless told otherwise.
   */
  finishExecution(id: string, status?: 'success' | 'error'): FakeExecution;
  /** Takes n8n off the network (connections refused) until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const FAR_FUTURE = '3000-01-01T00:00:00.000Z';
const READ_ONLY_WORKFLOW_FIELDS = new Set(['id', 'active', 'tags', 'createdAt', 'updatedAt', 'isArchived']);
const WRITABLE_WORKFLOW_FIELDS = new Set(['name', 'nodes', 'connections', 'settings', 'staticData']);
const QUERY_PARAMS: Record<string, string[]> = {
  '/workflows': ['active', 'tags', 'name', 'projectId', 'excludePinnedData', 'limit', 'cursor'],
  '/executions': ['includeData', 'status', 'workflowId', 'projectId', 'limit', 'cursor'],
  '/tags': ['limit', 'cursor'],
  '/variables': ['limit', 'cursor'],
  '/credentials': ['limit', 'cursor'],
};
const EXECUTION_STATUSES = ['canceled', 'error', 'running', 'success', 'waiting'];
const EXECUTION_STATUSES_2X = ['canceled', 'crashed', 'error', 'new', 'running', 'success', 'unknown', 'waiting'];

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}
const answer = (status: number, body: unknown) => new HttpAnswer(status, body);
const notFound = () => answer(404, { message: 'Not Found' });

/** n8n-like ids: 16 letters and digits. */
const workflowId = () =>
  randomBytes(12)
    .toString('base64')
    .replace(/[^a-zA-Z0-9]/g, '')
    .padEnd(16, 'x')
    .slice(0, 16);

const isTrigger = (node: FakeNode) =>
  node.type === 'n8n-nodes-base.webhook' ||
  (/trigger$/i.test(node.type) && node.type !== 'n8n-nodes-base.manualTrigger');

export interface FakeN8nOptions {
  apiKey?: string;
  /** The release it claims to be (the editor page, and 1.x or 2.x behaviour). */
  version?: string;
  /** Epoch ms for the timestamps of workflow writes (default: the real time). */
  now?: () => number;
}

/** Starts a fake n8n and waits until it listens. */
export async function startFakeN8n(options: FakeN8nOptions = {}): Promise<FakeN8n> {
  const fake = createFakeN8n(options);
  await fake.ready;
  return fake;
}

/** A fake n8n that starts listening at once; `ready` resolves when it does (state is usable before). */
export function createFakeN8n(options: FakeN8nOptions = {}): FakeN8n & { ready: Promise<void> } {
  const apiKey = options.apiKey ?? 'fake-key-0001';
  const version = options.version ?? FAKE_N8N_VERSION;
  const twoX = Number(version.split('.')[0]) >= 2;
  const state: FakeN8nState = {
    workflows: [],
    executions: [],
    tags: [],
    credentials: [],
    variables: [],
    variablesLicensed: false,
    hideWaitingFromList: Number(version.split('.')[0]) < 2,
    offline: false,
    failWith: undefined,
    failAfterPages: undefined,
    pagesServed: 0,
    garble: false,
    requests: [],
    writes: [],
    doorCalls: [],
    probeCalls: 0,
    doorFault: undefined,
    communityNodeTypes: [],
    dropRuns: new Set(),
    cutRuns: new Set(),
    received: [],
    apiHold: undefined,
    served: 0,
    inFlight: 0,
  };
  let nextExecutionId = 1;
  /** Runs n8n keeps in memory (short timed waits): left out of the list, like n8n's active executions. */
  const running = new Map<string, NodeJS.Timeout>();
  const now = options.now ?? (() => Date.now());
  const iso = (ms = now()) => new Date(ms).toISOString();
  /** n8n's updatedAt after a save: always later than the last one, even on a test's frozen clock. */
  const savedAt = (previous?: string) => iso(Math.max(now(), previous === undefined ? 0 : Date.parse(previous) + 1));

  /** Puts the saved version live (activate on 1.x, publish on 2.x). */
  function goLive(wf: FakeWorkflow): void {
    wf.active = true;
    wf.activeVersion = {
      versionId: wf.versionId,
      nodes: structuredClone(wf.nodes),
      connections: structuredClone(wf.connections),
    };
  }
  function stopLive(wf: FakeWorkflow): void {
    wf.active = false;
    wf.activeVersion = null;
  }
  /** The nodes n8n runs for a live workflow: its published version. */
  const liveNodes = (wf: FakeWorkflow) => (wf.activeVersion ? wf.activeVersion.nodes : wf.nodes);

  // ---- the model ---------------------------------------------------------------------------

  function publicWorkflow(wf: FakeWorkflow) {
    return {
      description: null,
      isArchived: false,
      staticData: null,
      meta: null,
      pinData: null,
      ...structuredClone(wf),
      activeVersionId: wf.active ? (wf.activeVersion?.versionId ?? wf.versionId) : null,
      activeVersion: wf.active && wf.activeVersion ? structuredClone(wf.activeVersion) : null,
    };
  }

  function listItem(e: FakeExecution) {
    return {
      id: e.id,
      finished: e.status === 'success',
      mode: e.mode ?? 'webhook',
      retryOf: e.retryOf ?? null,
      retrySuccessId: e.retrySuccessId ?? null,
      status: e.status,
      startedAt: e.startedAt,
      stoppedAt: e.stoppedAt,
      workflowId: e.workflowId,
      waitTill: e.waitTill ?? null,
    };
  }

  function fullExecution(e: FakeExecution, includeData: boolean) {
    const { waitTill, ...item } = listItem(e);
    return {
      ...item,
      createdAt: e.createdAt ?? e.startedAt,
      deletedAt: null,
      waitTill,
      ...(includeData ? { data: { ...runData(e), ...(e.resumeToken ? { resumeToken: e.resumeToken } : {}) } } : {}),
    };
  }

  /** An execution answered with its data, plus what n8n saves beside the run data. */
  function detailed<T extends Record<string, unknown>>(answered: T, e: FakeExecution): T {
    const workflow = state.workflows.find((w) => w.id === e.workflowId);
    const held = lastNodeOutput(e.nodes ?? workflow?.nodes ?? [], e.input);
    return withRunDetail(answered, e, { workflow, running: running.has(e.id) || e.ranNothing === true, held });
  }

  function webhookNode(wf: FakeWorkflow, method: string, path: string): FakeNode | undefined {
    return wf.nodes.find(
      (n) =>
        n.type === 'n8n-nodes-base.webhook' &&
        String(n.parameters?.path ?? '') === path &&
        String(n.parameters?.httpMethod ?? 'GET').toUpperCase() === method,
    );
  }

  /** Runs a workflow's nodes the way the fixtures need: fail, wait, or succeed. */
  function run(nodes: FakeNode[], workflowIdOfRun: string, input: unknown, extra: Partial<FakeExecution> = {}) {
    const start = Date.now();
    const fails = nodes.some((n) => n.type === 'n8n-nodes-base.stopAndError');
    const waits = !fails && nodes.some((n) => n.type === 'n8n-nodes-base.wait' && n.parameters?.resume === 'webhook');
    const execution: FakeExecution = {
      id: String(nextExecutionId++),
      status: fails ? 'error' : waits ? 'waiting' : 'success',
      workflowId: workflowIdOfRun,
      mode: 'webhook',
      retryOf: null,
      retrySuccessId: null,
      createdAt: iso(start),
      startedAt: iso(start),
      stoppedAt: iso(start + 1),
      waitTill: waits ? FAR_FUTURE : null,
      input,
      nodes: structuredClone(nodes),
      ...(waits && twoX ? { resumeToken: randomBytes(32).toString('hex') } : {}),
      ...extra,
    };
    timedWait(execution, nodes, start);
    state.executions.push(execution);
    return execution;
  }

  /** A time-interval Wait node: under 65 s the run stays in memory (`running`), else it is parked. */
  function timedWait(execution: FakeExecution, nodes: FakeNode[], start: number): void {
    const ms = execution.status === 'success' ? timedWaitMs(nodes) : undefined;
    if (ms === undefined) return;
    if (ms < PARK_AFTER_MS) Object.assign(execution, { status: 'running', stoppedAt: null, waitTill: null });
    else Object.assign(execution, { status: 'waiting', waitTill: iso(start + ms) });
    if (ms < 2 ** 31) {
      // Its time runs out as n8n's would (unless a test deleted or finished it first).
      const end = () => state.executions.includes(execution) && finishExecution(execution.id);
      const timer = setTimeout(end, ms).unref();
      if (ms < PARK_AFTER_MS) running.set(execution.id, timer);
    }
  }

  function finishExecution(id: string, status: 'success' | 'error' = 'success'): FakeExecution {
    const execution = state.executions.find((e) => e.id === id);
    if (!execution) throw new Error(`the fake n8n has no execution ${id}`);
    clearTimeout(running.get(id));
    running.delete(id);
    if (execution.status === 'running' || execution.status === 'waiting')
      Object.assign(execution, { status, stoppedAt: iso(Date.now()), waitTill: null });
    return execution;
  }

  /** What a "last node" webhook answers: the Set node's assignments, `$json.body` read from the input. */
  function lastNodeOutput(nodes: FakeNode[], body: unknown): unknown {
    const set = [...nodes].reverse().find((n) => n.type === 'n8n-nodes-base.set');
    const assignments = (set?.parameters?.assignments as { assignments?: { name: string; value: unknown }[] })
      ?.assignments;
    if (!assignments) return { body };
    return Object.fromEntries(
      assignments.map((a) => [
        a.name,
        a.value === '={{ $json.body }}'
          ? body
          : typeof a.value === 'string' && a.value.startsWith('=')
            ? null
            : a.value,
      ]),
    );
  }

  // ---- the doors ---------------------------------------------------------------------------

  function webhook(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): HttpAnswer | 'cut' {
    // What runs is the published version (2.x keeps a newer saved draft apart from it).
    const active = state.workflows.filter((w) => w.active).map((w) => ({ ...w, nodes: liveNodes(w) }));
    const match = active.map((wf) => ({ wf, node: webhookNode(wf, method, path) })).find((m) => m.node);
    if (!match) {
      const otherMethod = active
        .flatMap((wf) => wf.nodes)
        .find((n) => n.type === 'n8n-nodes-base.webhook' && String(n.parameters?.path ?? '') === path);
      if (otherMethod) {
        const wanted = String(otherMethod.parameters?.httpMethod ?? 'GET').toUpperCase();
        return answer(404, {
          code: 404,
          message: `This webhook is not registered for ${method} requests. Did you mean to make a ${wanted} request?`,
        });
      }
      return answer(404, {
        code: 404,
        message: `The requested webhook "${method} ${path}" is not registered.`,
        hint: "The workflow must be active for a production URL to run successfully. You can activate the workflow using the toggle in the top-right of the editor. Note that unlike test URL calls, production URL calls aren't shown on the canvas (only in the executions list)",
      });
    }
    const { wf, node } = match;
    if (state.dropRuns.has(wf.id)) {
      nextExecutionId++;
      return answer(200, { message: 'Workflow was started' });
    }
    if (state.cutRuns.has(wf.id)) {
      const at = Date.now();
      run(wf.nodes, wf.id, body, {
        headers,
        status: 'crashed',
        ranNothing: true,
        stoppedAt: iso(at + 1),
        waitTill: null,
      });
      return 'cut';
    }
    const execution = run(wf.nodes, wf.id, body, { headers });
    const responded = respondNodeReply(wf.nodes, node!, execution, `http://127.0.0.1:${port}`);
    if (responded) return answer(responded.status, responded.body);
    if (node!.parameters?.responseMode !== 'lastNode') return answer(200, { message: 'Workflow was started' });
    if (execution.status === 'error') return answer(500, { message: 'Error in workflow' });
    if (execution.status === 'waiting') return answer(200, { message: 'Workflow was started' });
    return answer(200, lastNodeOutput(wf.nodes, body));
  }

  function resumeWaiting(id: string, body: unknown, method = 'POST', signature: string | null = null): HttpAnswer {
    const execution = state.executions.find((e) => e.id === id);
    // 2.x checks the token before anything else, finished executions included.
    if (execution?.resumeToken && signature !== execution.resumeToken) return answer(401, { error: 'Invalid token' });
    if (!execution) return answer(404, { code: 404, message: `The execution "${id}" does not exist.` });
    const refused = resumeRefusal(execution, method, running.has(id));
    if (refused) return answer(refused.status, refused.body);
    if (execution.status !== 'waiting') {
      // Sic: n8n 1.123's message misses a quote.
      return answer(409, { code: 409, message: `The execution "${id} has finished already.` });
    }
    const now = Date.now();
    Object.assign(execution, {
      status: 'success',
      startedAt: iso(now),
      stoppedAt: iso(now + 1),
      waitTill: null,
      resumedWith: body,
    });
    return answer(200, { message: 'Workflow was started' });
  }

  // ---- the public API ----------------------------------------------------------------------

  function page<T>(items: T[], query: URLSearchParams): HttpAnswer {
    const limitText = query.get('limit');
    const limit = limitText === null || Number(limitText) <= 0 ? 100 : Number(limitText);
    let offset = 0;
    const cursor = query.get('cursor');
    if (cursor) {
      try {
        const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { offset?: unknown };
        if (typeof parsed.offset !== 'number') throw new Error('no offset');
        offset = parsed.offset;
      } catch {
        return answer(400, { message: 'An invalid cursor was provided' });
      }
    }
    const data = items.slice(offset, offset + limit);
    const next = offset + limit < items.length;
    return answer(200, {
      data,
      nextCursor: next ? Buffer.from(JSON.stringify({ offset: offset + limit, limit })).toString('base64') : null,
    });
  }

  function checkWorkflowBody(body: unknown): HttpAnswer | Record<string, unknown> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return answer(400, { message: 'request/body must be object' });
    const record = body as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      // 2.x names versionId read-only too (1.x: an additional property).
      if (READ_ONLY_WORKFLOW_FIELDS.has(key) || (twoX && key === 'versionId'))
        return answer(400, { message: `request/body/${key} is read-only` });
    }
    for (const required of ['name', 'nodes', 'connections', 'settings']) {
      if (!(required in record))
        return answer(400, { message: `request/body must have required property '${required}'` });
    }
    if (Object.keys(record).some((k) => !WRITABLE_WORKFLOW_FIELDS.has(k)))
      return answer(400, { message: 'request/body must NOT have additional properties' });
    return record;
  }

  function saveWorkflow(body: Record<string, unknown>, existing?: FakeWorkflow): FakeWorkflow {
    const now = savedAt(existing?.updatedAt);
    // 2.x renews the versionId only when nodes or connections change (a rename keeps it).
    const sameContent =
      existing !== undefined &&
      isDeepStrictEqual(existing.nodes, body.nodes) &&
      isDeepStrictEqual(existing.connections, body.connections);
    return {
      ...(existing ?? {}),
      id: existing?.id ?? workflowId(),
      name: String(body.name),
      active: existing?.active ?? false,
      nodes: structuredClone(body.nodes as FakeNode[]),
      connections: structuredClone(body.connections as Record<string, unknown>),
      settings: {
        callerPolicy: 'workflowsFromSameOwner',
        ...structuredClone(body.settings as Record<string, unknown>),
      },
      tags: existing?.tags ?? [],
      versionId: twoX && sameContent ? existing.versionId : randomUUID(),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      activeVersion: existing?.activeVersion ?? null,
    };
  }

  function api(method: string, path: string, query: URLSearchParams, body: unknown): HttpAnswer {
    const collection = QUERY_PARAMS[path];
    // 2.x checks neither unknown parameters nor the limit on /workflows and /executions (1.x: 400).
    const lax = twoX && (path === '/workflows' || path === '/executions');
    if (collection && method === 'GET' && !lax) {
      for (const key of query.keys()) {
        if (!collection.includes(key)) return answer(400, { message: `Unknown query parameter '${key}'` });
      }
      if (Number(query.get('limit') ?? 0) > 250) return answer(400, { message: 'request/query/limit must be <= 250' });
    }

    if (path === '/workflows' && method === 'GET') {
      const active = query.get('active');
      const items = state.workflows.filter((w) => active === null || String(w.active) === active);
      return page(items.map(publicWorkflow), query);
    }
    if (path === '/workflows' && method === 'POST') {
      const checked = checkWorkflowBody(body);
      if (checked instanceof HttpAnswer) return checked;
      const wf = saveWorkflow(checked);
      state.workflows.push(wf);
      // 1.x leaves tags out of the create answer; 2.x answers them (none yet).
      const { tags: _tags, ...created } = publicWorkflow(wf);
      return answer(200, twoX ? { ...created, tags: [] } : created);
    }
    if (path === '/community-packages' && method === 'GET') {
      if (!twoX) return notFound();
      return answer(
        200,
        state.communityNodeTypes.map((type) => ({
          packageName: type.slice(0, type.lastIndexOf('.')),
          installedNodes: [{ name: type, type }],
        })),
      );
    }
    const workflowMatch = /^\/workflows\/([^/]+)(?:\/(activate|deactivate|publish|unpublish|tags))?$/.exec(path);
    if (workflowMatch) {
      const [, id, action] = workflowMatch;
      const index = state.workflows.findIndex((w) => w.id === id);
      const wf = state.workflows[index];
      // 2.x answers an unknown workflow's update and activation as a missing permission.
      const denied =
        !action && method === 'PUT' ? 'update' : action === 'activate' && method === 'POST' ? 'activate' : null;
      if (!wf && twoX && denied)
        return answer(404, {
          message: `You do not have permission to ${denied} this workflow. Ask the owner to share it with you.`,
        });
      if (!wf) return action === 'tags' && method === 'PUT' ? answer(404, { message: 'Not Found' }) : notFound();
      if (!action && method === 'GET') return answer(200, publicWorkflow(wf));
      if (!action && method === 'PUT') {
        const checked = checkWorkflowBody(body);
        if (checked instanceof HttpAnswer) return checked;
        const saved = saveWorkflow(checked, wf);
        state.workflows[index] = saved;
        // A live workflow runs the saved version: 1.x always, 2.x unless publishIfActive=false.
        if (saved.active && !(twoX && query.get('publishIfActive') === 'false')) goLive(saved);
        return answer(200, publicWorkflow(saved));
      }
      if (!action && method === 'DELETE') {
        if (twoX && wf.active)
          return answer(409, { message: 'Cannot delete a published workflow. Unpublish it before deleting.' });
        state.workflows.splice(index, 1);
        return answer(200, publicWorkflow(wf));
      }
      if (!twoX && (action === 'publish' || action === 'unpublish')) return notFound();
      if ((action === 'activate' || action === 'publish') && method === 'POST') {
        if (!wf.nodes.some(isTrigger)) {
          return answer(400, {
            message: twoX
              ? 'Workflow cannot be activated because it has no trigger node. At least one trigger, webhook, or polling node is required.'
              : `Workflow "${wf.name}" (ID: ${wf.id}) has no node to start the workflow - at least one trigger, poller or webhook node is required`,
          });
        }
        goLive(wf);
        return answer(200, publicWorkflow(wf));
      }
      if ((action === 'deactivate' || action === 'unpublish') && method === 'POST') {
        stopLive(wf);
        return answer(200, publicWorkflow(wf));
      }
      if (action === 'tags' && method === 'GET') return answer(200, structuredClone(wf.tags));
      if (action === 'tags' && method === 'PUT') {
        const ids = Array.isArray(body) ? body.map((t) => String((t as { id?: unknown }).id)) : [];
        const tags = ids.map((tagId) => state.tags.find((t) => t.id === tagId));
        if (tags.some((t) => !t)) return answer(404, { message: 'Some tags not found' });
        wf.tags = tags as FakeTag[];
        return answer(200, structuredClone(wf.tags));
      }
      return notFound();
    }

    if (path === '/credentials' || path.startsWith('/credentials/')) return credentials(method, path, query, body);
    if (path === '/audit' && method === 'POST') return auditReport(body);

    if (path === '/tags' && method === 'GET') return page(state.tags, query);
    if (path === '/tags' && method === 'POST') {
      const name = String((body as { name?: unknown } | null)?.name ?? '');
      if (!name) return answer(400, { message: "request/body must have required property 'name'" });
      if (state.tags.some((t) => t.name === name)) return answer(409, { message: 'Tag already exists' });
      const now = iso();
      const tag = { id: workflowId(), name, createdAt: now, updatedAt: now };
      state.tags.push(tag);
      return answer(201, tag);
    }

    if (path === '/variables') {
      if (!state.variablesLicensed) {
        return answer(403, {
          message:
            'Your license does not allow for feat:variables. To enable feat:variables, please upgrade to a license that supports this feature.',
        });
      }
      if (method === 'GET') return page(state.variables, query);
      if (method === 'POST') {
        const { key, value } = (body ?? {}) as { key?: unknown; value?: unknown };
        if (typeof key !== 'string' || typeof value !== 'string')
          return answer(400, { message: "request/body must have required property 'key'" });
        if (state.variables.some((v) => v.key === key))
          return answer(409, { message: `A variable with key "${key}" already exists` });
        state.variables.push({ id: workflowId(), key, value, type: 'string' });
        return answer(201, '');
      }
    }

    if (path === '/executions' && method === 'GET') {
      if (state.failAfterPages !== undefined && state.pagesServed >= state.failAfterPages)
        return answer(503, { message: 'Service Unavailable' });
      const status = query.get('status');
      if (status !== null && !(twoX ? EXECUTION_STATUSES_2X : EXECUTION_STATUSES).includes(status)) {
        return answer(400, {
          message: twoX
            ? `request/query/status Invalid enum value. Expected ${EXECUTION_STATUSES_2X.map((v) => `'${v}'`).join(' | ')}, received '${status}'`
            : `request/query/status must be equal to one of the allowed values: ${EXECUTION_STATUSES.join(', ')}`,
        });
      }
      const workflow = query.get('workflowId');
      const includeData = query.get('includeData') === 'true';
      const items = [...state.executions]
        .filter((e) => !(state.hideWaitingFromList && e.status === 'waiting'))
        // n8n leaves out what it runs in memory, unless asked for running executions.
        .filter((e) => !running.has(e.id) || status === 'running')
        .filter((e) => status === null || e.status === status)
        .filter((e) => workflow === null || e.workflowId === workflow)
        .sort((a, b) => Number(b.id) - Number(a.id))
        .map((e) => (includeData ? detailed({ ...listItem(e), data: runData(e) }, e) : listItem(e)));
      const paged = pageById(items, query);
      const result = answer(paged.status, paged.body);
      if (result.status === 200) state.pagesServed++;
      return result;
    }
    const executionMatch = /^\/executions\/([^/]+)(\/retry)?$/.exec(path);
    if (executionMatch) {
      const [, id, retry] = executionMatch;
      if (!/^\d+$/.test(id!))
        return answer(400, {
          message: twoX ? 'request/params/executionId must be a positive integer' : 'request/params/id must be number',
        });
      const index = state.executions.findIndex((e) => e.id === id);
      const execution = state.executions[index];
      if (retry && method === 'POST') {
        if (!execution) return answer(404, { message: `The execution with the ID "${id}" does not exist.` });
        if (execution.status === 'success')
          return answer(twoX ? 409 : 400, { message: 'The execution succeeded, so it cannot be retried.' });
        const loadWorkflow = (body as { loadWorkflow?: unknown } | null)?.loadWorkflow === true;
        const current = state.workflows.find((w) => w.id === execution.workflowId);
        const nodes = loadWorkflow && current ? current.nodes : (execution.nodes ?? current?.nodes ?? []);
        const retried = run(nodes, execution.workflowId, execution.input, { mode: 'retry', retryOf: execution.id });
        if (retried.status === 'success') execution.retrySuccessId = retried.id;
        // n8n's retry answer carries retryOf as a number (the GET has a string).
        return answer(200, { ...fullExecution(retried, true), retryOf: Number(execution.id) });
      }
      if (!execution) return notFound();
      if (method === 'GET') {
        const includeData = query.get('includeData') === 'true';
        const full = fullExecution(execution, includeData);
        return answer(200, includeData ? detailed(full, execution) : full);
      }
      if (method === 'DELETE') {
        state.executions.splice(index, 1);
        return answer(200, { ...fullExecution(execution, false), id: Number(execution.id) });
      }
    }
    return notFound();
  }

  /** The public view of a credential: never its data. */
  const credentialView = (c: FakeCredential) => ({
    id: c.id,
    name: c.name,
    type: c.type,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  });

  function credentials(method: string, path: string, query: URLSearchParams, body: unknown): HttpAnswer {
    if (path === '/credentials' && method === 'GET') {
      // 1.123's public API has POST /credentials only: its validator answers other methods 405.
      if (!twoX) return answer(405, { message: 'GET method not allowed' });
      return page(
        state.credentials.map((c) => ({ ...credentialView(c), shared: [] })),
        query,
      );
    }
    if (path === '/credentials' && method === 'POST') {
      const { name, type, data } = (body ?? {}) as { name?: unknown; type?: unknown; data?: unknown };
      if (typeof name !== 'string' || typeof type !== 'string' || !data || typeof data !== 'object')
        return answer(400, { message: "request/body must have required property 'name', 'type' and 'data'" });
      const created = addCredential(name, type, data as Record<string, unknown>);
      return answer(200, credentialView(created));
    }
    const one = /^\/credentials\/([^/]+)$/.exec(path);
    if (one && method === 'DELETE') {
      const index = state.credentials.findIndex((c) => c.id === one[1]);
      if (index < 0) return notFound();
      const [removed] = state.credentials.splice(index, 1);
      return answer(200, credentialView(removed!));
    }
    return twoX ? notFound() : answer(405, { message: `${method} method not allowed` });
  }

  /**
   * n8n's security audit, credentials category only: credentials no workflow uses, none an active
   * one uses, none a stored execution ran with; `[]` when none is at risk.
   */
  function auditReport(body: unknown): HttpAnswer {
    const categories = (body as { additionalOptions?: { categories?: unknown } } | null)?.additionalOptions?.categories;
    if (Array.isArray(categories) && !categories.includes('credentials')) return answer(200, []);
    const idsIn = (nodes: FakeNode[]) =>
      nodes.flatMap((n) => Object.values((n.credentials ?? {}) as Record<string, { id?: unknown }>).map((c) => c?.id));
    const used = new Set(state.workflows.flatMap((w) => idsIn(w.nodes)));
    const usedLive = new Set(state.workflows.filter((w) => w.active).flatMap((w) => idsIn(liveNodes(w))));
    const ran = new Set(state.executions.flatMap((e) => idsIn(e.nodes ?? [])));
    const at = (keep: (c: FakeCredential) => boolean) =>
      state.credentials.filter(keep).map((c) => ({ kind: 'credential', id: c.id, name: c.name }));
    const sections = [
      { title: 'Credentials not used in any workflow', location: at((c) => !used.has(c.id)) },
      { title: 'Credentials not used in any active workflow', location: at((c) => !usedLive.has(c.id)) },
      { title: 'Credentials not used in recently executed workflows', location: at((c) => !ran.has(c.id)) },
    ]
      .filter((section) => section.location.length > 0)
      .map((section) => ({ ...section, description: section.title, recommendation: 'Consider deleting them.' }));
    if (sections.length === 0) return answer(200, []);
    return answer(200, { 'Credentials Risk Report': { risk: 'credentials', sections } });
  }

  // ---- HTTP --------------------------------------------------------------------------------

  const editorPage = () => {
    const sentry = Buffer.from(JSON.stringify({ dsn: '', environment: 'development', release: `n8n@${version}` }));
    return `<!DOCTYPE html><html><head><meta name="n8n:config:sentry" content="${sentry.toString('base64')}"></head><body></body></html>`;
  };

  function route(req: IncomingMessage, url: URL, raw: string): HttpAnswer | 'garbled' | 'cut' {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        return answer(400, { message: 'Unexpected token in JSON body' });
      }
    }
    if (path === '/healthz') return answer(state.failWith ?? 200, { status: 'ok' });
    if (path === '/rest/settings') return answer(200, { data: { settingsMode: 'public', previewMode: false } });
    if (path === '/' && method === 'GET') return new HttpAnswer(200, editorPage(), { 'content-type': 'text/html' });
    if (path.startsWith('/api/v1/')) {
      state.requests.push(`${method} ${path}${url.search}`);
      if (method === 'POST' || method === 'PUT')
        state.writes.push({ method, path: path.slice('/api/v1'.length), body });
      const key = req.headers['x-n8n-api-key'];
      if (key === undefined) return answer(401, { message: twoX ? 'Unauthorized' : "'X-N8N-API-KEY' header required" });
      if (key !== apiKey) return answer(401, { message: twoX ? 'Unauthorized' : 'unauthorized' });
      if (state.failWith) return answer(state.failWith, { message: 'failing on purpose' });
      if (state.garble) return 'garbled';
      return api(method, path.slice('/api/v1'.length), url.searchParams, body);
    }
    const door = /^\/(webhook|webhook-waiting)\/(.+)$/.exec(path);
    if (door) {
      const [, kind, rest] = door;
      return kind === 'webhook'
        ? webhook(method, decodeURIComponent(rest!), body, flatHeaders(req))
        : resumeWaiting(rest!, body, method, url.searchParams.get('signature'));
    }
    return new HttpAnswer(404, 'Cannot GET ' + path, { 'content-type': 'text/html' });
  }

  function send(res: ServerResponse, result: HttpAnswer): void {
    const isText = typeof result.body === 'string';
    const payload = isText ? (result.body as string) : JSON.stringify(result.body);
    res.writeHead(result.status, {
      'content-type': isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      ...result.headers,
    });
    res.end(payload);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://127.0.0.1');
      } catch {
        send(res, answer(400, { message: 'Bad Request' }));
        return;
      }
      const door = /^\/(webhook|webhook-waiting)\//.test(url.pathname);
      if (door) {
        let parsed: unknown = raw;
        try {
          parsed = raw ? (JSON.parse(raw) as unknown) : undefined;
        } catch {
          // Keep the raw text: a test may send something that is not JSON on purpose.
        }
        const call: DoorCall = {
          method: req.method ?? 'GET',
          path: url.pathname,
          headers: req.headers,
          body: parsed,
          raw,
        };
        if (call.path.endsWith(`/${PROBE_PATH}`)) state.probeCalls++;
        else state.doorCalls.push(call);
        const n = state.doorCalls.filter((c) => c.path === call.path).length;
        const fault = state.doorFault?.(call, n);
        if (fault) {
          const reply = () =>
            send(res, new HttpAnswer(fault.status, fault.body === undefined ? {} : fault.body, fault.headers));
          if (fault.delayMs) setTimeout(reply, fault.delayMs).unref();
          else reply();
          return;
        }
      }
      const result = route(req, url, raw);
      if (result === 'cut') {
        req.socket.destroy();
        return;
      }
      if (result === 'garbled') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": [{"id": null}]}');
        return;
      }
      send(res, result);
    });
  }

  /** Handles a request once `state.apiHold` lets it through (a slow n8n); the body waits unread. */
  function holding(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const held = url.startsWith('/api/v1/') ? state.apiHold?.(`${req.method ?? 'GET'} ${url}`) : undefined;
    if (held)
      void held.then(
        () => handle(req, res),
        () => handle(req, res),
      );
    else handle(req, res);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;

  async function start(): Promise<void> {
    if (server) return;
    const next = createServer(holding);
    next.on('request', (req: IncomingMessage, res: ServerResponse) => {
      state.received.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers });
      state.served++;
      state.inFlight++;
      res.on('close', () => state.inFlight--);
    });
    next.on('connection', (socket) => {
      if (state.offline) {
        socket.destroy();
        return;
      }
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    // A fake left open by a test must not keep the test runner alive.
    next.unref();
    server = next;
  }

  async function stop(): Promise<void> {
    const running = server;
    server = undefined;
    if (!running) return;
    const closed = new Promise<void>((resolve) => running.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  const ready = start();

  function addCredential(name: string, type: string, data: Record<string, unknown> = {}): FakeCredential {
    const at = iso();
    const credential = { id: workflowId(), name, type, data: structuredClone(data), createdAt: at, updatedAt: at };
    state.credentials.push(credential);
    return credential;
  }

  function addWorkflow(id: string, name: string, options: AddWorkflowOptions = {}): FakeWorkflow {
    const created = iso();
    const tags = (options.tags ?? []).map((tagName) => {
      const existing = state.tags.find((t) => t.name === tagName);
      if (existing) return existing;
      const tag = { id: `tag-${state.tags.length + 1}`, name: tagName, createdAt: created, updatedAt: created };
      state.tags.push(tag);
      return tag;
    });
    const wf: FakeWorkflow = {
      id,
      name,
      active: false,
      nodes: options.nodes ?? [
        {
          id: `${id}-webhook`,
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          webhookId: `wh-${id}`,
          parameters: { httpMethod: 'POST', path: options.path ?? `hook-${id}`, responseMode: 'onReceived' },
        },
        {
          id: `${id}-set`,
          name: 'Set',
          type: 'n8n-nodes-base.set',
          typeVersion: 3.4,
          position: [220, 0],
          parameters: {},
        },
      ],
      connections: options.connections ?? { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
      settings: options.settings ?? { executionOrder: 'v1' },
      tags,
      versionId: `v-${id}`,
      createdAt: created,
      updatedAt: created,
    };
    if (options.active ?? true) goLive(wf);
    state.workflows.push(wf);
    return wf;
  }

  function addExecutions(
    count: number,
    workflowIdOfRuns: string,
    status = 'success',
    extra: Partial<FakeExecution> = {},
  ): FakeExecution[] {
    const added: FakeExecution[] = [];
    for (let i = 0; i < count; i++) {
      const id = String(nextExecutionId++);
      const start = Date.UTC(2026, 0, 1) + Number(id) * 1000;
      const execution: FakeExecution = {
        id,
        status,
        workflowId: workflowIdOfRuns,
        mode: 'webhook',
        retryOf: null,
        retrySuccessId: null,
        createdAt: iso(start),
        startedAt: iso(start),
        stoppedAt: status === 'waiting' || status === 'running' ? null : iso(start + 250),
        waitTill: status === 'waiting' ? FAR_FUTURE : null,
        ...extra,
      };
      state.executions.push(execution);
      added.push(execution);
    }
    return added;
  }

  function editWorkflow(id: string, edit: (wf: FakeWorkflow) => void): FakeWorkflow {
    const wf = state.workflows.find((w) => w.id === id);
    if (!wf) throw new Error(`the fake n8n has no workflow ${id}`);
    const before = { nodes: structuredClone(wf.nodes), connections: structuredClone(wf.connections) };
    edit(wf);
    const contentChanged =
      !isDeepStrictEqual(before.nodes, wf.nodes) || !isDeepStrictEqual(before.connections, wf.connections);
    if (!twoX || contentChanged) wf.versionId = randomUUID();
    wf.updatedAt = savedAt(wf.updatedAt);
    // 1.x: an active workflow runs what was saved; 2.x: saved as a draft, published stays.
    if (!twoX && wf.active) goLive(wf);
    return wf;
  }

  function publishWorkflow(id: string): FakeWorkflow {
    const wf = state.workflows.find((w) => w.id === id);
    if (!wf) throw new Error(`the fake n8n has no workflow ${id}`);
    goLive(wf);
    return wf;
  }

  return {
    ready,
    get baseUrl() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    apiKey,
    version,
    state,
    addCredential,
    addWorkflow,
    addExecutions,
    editWorkflow,
    publishWorkflow,
    finishExecution,
    stop,
    start,
    close: stop,
  };
}

/** n8n's run data for an execution: one entry per node, the failing node carrying the error. */
function runData(e: FakeExecution) {
  const start = Date.parse(e.startedAt);
  const nodes = e.nodes ?? [
    { name: 'Webhook', type: 'n8n-nodes-base.webhook' },
    { name: 'Set', type: 'n8n-nodes-base.set' },
  ];
  const failing =
    e.status === 'error' ? (nodes.find((n) => n.type === 'n8n-nodes-base.stopAndError') ?? nodes.at(-1)) : undefined;
  const ran = failing ? nodes.slice(0, nodes.indexOf(failing) + 1) : nodes;
  const error = { message: 'deliberate failure' };
  return {
    version: 1,
    startData: {},
    resultData: {
      ...(failing ? { error, lastNodeExecuted: failing.name } : { lastNodeExecuted: ran.at(-1)?.name }),
      runData: Object.fromEntries(
        ran.map((node, i) => [
          node.name,
          [
            node === failing
              ? { startTime: start + i * 2, executionTime: 5, executionStatus: 'error', error }
              : {
                  startTime: start + i * 2,
                  executionTime: i === 0 ? 2 : 5,
                  executionStatus: 'success',
                  data: { main: [i === 0 ? [{ json: { body: e.input ?? {} } }] : [{ json: {} }, { json: {} }]] },
                },
          ],
        ]),
      ),
    },
  };
}

/** Request headers as one string each (n8n's Webhook node joins repeated ones). */
function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).flatMap(([k, v]) =>
      v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as const],
    ),
  );
}
