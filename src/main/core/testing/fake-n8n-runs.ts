/**
 * The run-time half of the fake n8n (fake-n8n.ts uses it): what n8n 1.123 does with a run beyond
 * "succeed, fail or wait for a resume", as observed on a real one and pinned by n8n-spec.ts:
 *
 * - a Wait node on a time interval: under 65 s n8n keeps the run in memory (`running`, left out
 *   of the execution list except under `status=running`), longer it parks it as `waiting` with
 *   its `waitTill` (n8n's Wait node, `waitValue < 65000`);
 * - a Respond to Webhook node answers the webhook call itself (its code, its JSON body);
 * - a resume (`/webhook-waiting/<id>`) is refused the way n8n refuses it: 409 for a run still
 *   running or one that failed, 404 when the waiting node has no resume webhook for that method;
 * - run data as n8n saves it: the Webhook node's output holds the request (headers, body), a
 *   waiting run keeps its Wait node on top of the execution stack with the item it holds, a run
 *   still running has only the trigger's item on the stack, and `includeData` adds the workflow
 *   as it ran (`workflowData`);
 * - executions page by id (`{lastId, limit}` cursors): runs started between two pages do not
 *   shift the next one.
 *
 * `addRunWorkflow` names these behaviours for tests of linking and waits (`FakeRunMode`).
 */
import type { FakeExecution, FakeN8n, FakeNode, FakeWorkflow } from './fake-n8n';
import { webhookWorkflow, type WebhookWorkflowOptions } from './n8n-workflows';

/** Longer waits are parked (`waiting`), shorter ones run on in memory (`running`). */
export const PARK_AFTER_MS = 65_000;

const UNIT_MS: Record<string, number> = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

export interface Reply {
  status: number;
  body: unknown;
}

const WAIT = 'n8n-nodes-base.wait';
const RESPOND = 'n8n-nodes-base.respondToWebhook';
const WEBHOOK = 'n8n-nodes-base.webhook';

/** The first Wait node of a run's nodes. */
export const waitNodeOf = (nodes: readonly FakeNode[] | undefined): FakeNode | undefined =>
  nodes?.find((n) => n.type === WAIT);

/** How long a time-interval Wait node waits (ms), or undefined for other waits. */
export function timedWaitMs(nodes: readonly FakeNode[]): number | undefined {
  const wait = waitNodeOf(nodes);
  const p = wait?.parameters ?? {};
  if (!wait || (p.resume !== undefined && p.resume !== 'timeInterval')) return undefined;
  const amount = typeof p.amount === 'number' ? p.amount : 1;
  return amount * (UNIT_MS[String(p.unit ?? 'hours')] ?? UNIT_MS.hours!);
}

/**
 * What n8n's Respond to Webhook node answers for this run (responseMode `responseNode`), or
 * undefined when the webhook answers by itself. The body's `{{ $execution.id }}` and
 * `{{ $execution.resumeUrl }}` are filled in; any other expression is refused with a clear 500,
 * so a test cannot silently rely on something the fake does not evaluate.
 */
export function respondNodeReply(
  nodes: readonly FakeNode[],
  trigger: FakeNode,
  execution: { id: string },
  baseUrl: string,
): Reply | undefined {
  if (trigger.parameters?.responseMode !== 'responseNode') return undefined;
  const respond = nodes.find((n) => n.type === RESPOND);
  if (!respond) return { status: 500, body: { code: 0, message: 'No Respond to Webhook node found in the workflow' } };
  const p = respond.parameters ?? {};
  const options = (p.options ?? {}) as { responseCode?: unknown };
  const status = typeof options.responseCode === 'number' ? options.responseCode : 200;
  if (p.respondWith !== 'json') return { status, body: { message: 'Workflow was started' } };
  const raw = p.responseBody;
  if (typeof raw !== 'string') return { status, body: raw ?? {} };
  const filled = raw
    .replace(/^=/, '')
    .replaceAll('{{ $execution.id }}', execution.id)
    .replaceAll('{{ $execution.resumeUrl }}', `${baseUrl}/webhook-waiting/${execution.id}`);
  if (filled.includes('{{')) {
    return { status: 500, body: { message: `The fake n8n does not evaluate this expression: ${raw}` } };
  }
  try {
    return { status, body: JSON.parse(filled) as unknown };
  } catch {
    return { status: 500, body: { message: 'Invalid JSON in Respond to Webhook body' } };
  }
}

/**
 * n8n's answer to `/webhook-waiting/<id>` for an execution it would not resume, or undefined
 * when it would (or the caller's own checks decide). `running`: n8n runs it in memory right now.
 */
export function resumeRefusal(execution: FakeExecution, method: string, running: boolean): Reply | undefined {
  const { id } = execution;
  if (running) return { status: 409, body: { code: 409, message: `The execution "${id}" is running already.` } };
  if (execution.status === 'error')
    return { status: 409, body: { code: 409, message: `The execution "${id}" has finished with error.` } };
  if (execution.status !== 'waiting' || !execution.nodes) return undefined;
  const wait = waitNodeOf(execution.nodes);
  const p = wait?.parameters ?? {};
  // A Wait node's resume webhook answers one method (GET unless set); timed waits have none.
  const listens = wait && p.resume === 'webhook' && String(p.httpMethod ?? 'GET').toUpperCase() === method;
  if (listens) return undefined;
  return {
    status: 404,
    body: {
      code: 404,
      message: `The workflow for execution "${id}" does not contain a waiting webhook with a matching path/method.`,
    },
  };
}

/** A Webhook node's output item, as n8n's Webhook node (v2) makes it. */
export const webhookItem = (e: FakeExecution) => ({
  headers: e.headers ?? {},
  params: {},
  query: {},
  body: e.input ?? {},
  webhookUrl: '',
  executionMode: 'production',
});

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Adds to an execution answered with `includeData=true` what n8n saves with it: the request in
 * the Webhook node's output, the execution stack of a run still running or waiting, and the
 * workflow as it ran. `held` is the item the waiting node holds (what the node before it made).
 */
export function withRunDetail<T extends Rec>(
  answer: T,
  e: FakeExecution,
  context: { workflow: FakeWorkflow | undefined; running: boolean; held: unknown },
): T {
  const nodes = e.nodes ?? context.workflow?.nodes ?? [];
  const data: Rec = isRec(answer.data) ? { ...answer.data } : {};
  const resultData: Rec = isRec(data.resultData) ? { ...data.resultData } : {};
  const trigger = nodes.find((n) => n.type === WEBHOOK);
  const triggerItem = { json: webhookItem(e) };
  if (context.running) {
    // Run data is saved at the end (or at a wait): only the trigger's item is on the stack.
    data.resultData = { runData: {} };
    data.executionData = {
      contextData: {},
      nodeExecutionStack: trigger
        ? [{ node: structuredClone(trigger), data: { main: [[triggerItem]] }, source: null }]
        : [],
      waitingExecution: {},
      waitingExecutionSource: {},
    };
  } else {
    const runData = isRec(resultData.runData) ? { ...resultData.runData } : {};
    const runs = trigger ? runData[trigger.name] : undefined;
    const first: unknown = Array.isArray(runs) ? runs[0] : undefined;
    if (trigger && isRec(first)) runData[trigger.name] = [{ ...first, data: { main: [[triggerItem]] } }];
    resultData.runData = runData;
    const wait = e.status === 'waiting' ? waitNodeOf(nodes) : undefined;
    if (wait) resultData.lastNodeExecuted = wait.name;
    data.resultData = resultData;
    data.executionData = {
      contextData: {},
      nodeExecutionStack: wait
        ? [{ node: structuredClone(wait), data: { main: [[{ json: context.held ?? {} }]] }, source: null }]
        : [],
      waitingExecution: {},
      waitingExecutionSource: {},
    };
  }
  const workflowData = {
    id: e.workflowId,
    name: context.workflow?.name ?? 'unknown',
    active: context.workflow?.active ?? false,
    nodes: structuredClone(nodes),
    connections: structuredClone(context.workflow?.connections ?? {}),
    settings: structuredClone(context.workflow?.settings ?? {}),
  };
  return { ...answer, data, workflowData, customData: {} };
}

/**
 * One page of executions (already filtered, newest first) the way n8n pages them: by id, the
 * cursor naming the last id served (`{lastId, limit}`, base64 JSON), the next page holding the
 * ids below it. A cursor carries its own limit, as n8n's does.
 */
export function pageById<T extends { id: string }>(items: readonly T[], query: URLSearchParams): Reply {
  const limitText = query.get('limit');
  let limit = limitText === null || Number(limitText) <= 0 ? 100 : Number(limitText);
  let below = Infinity;
  const cursor = query.get('cursor');
  if (cursor) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as {
        lastId?: unknown;
        limit?: unknown;
      };
      const lastId = Number(parsed.lastId);
      if (!Number.isFinite(lastId)) throw new Error('no lastId');
      below = lastId;
      if (typeof parsed.limit === 'number' && parsed.limit > 0) limit = parsed.limit;
    } catch {
      return { status: 400, body: { message: 'An invalid cursor was provided' } };
    }
  }
  const rest = items.filter((e) => Number(e.id) < below);
  const data = rest.slice(0, limit);
  const last = data.at(-1);
  const more = last !== undefined && rest.length > data.length;
  return {
    status: 200,
    body: {
      data,
      nextCursor: more ? Buffer.from(JSON.stringify({ lastId: last.id, limit })).toString('base64') : null,
    },
  };
}

/**
 * What a workflow does when its webhook is called, in the words of tests about linking and
 * waits. Each is a fixture a real n8n runs the same way (n8n-workflows.ts), except `crash` and `cut`.
 */
export type FakeRunMode =
  /** Runs to success before answering (responseMode lastNode). */
  | 'lastNode'
  /** Answers "Workflow was started", then waits on a Wait node resumed by a POST webhook call. */
  | 'wait'
  /** Like `wait`, but the Wait node listens to GET (Flightdeck cannot decide it). */
  | 'waitGet'
  /** Answers at once, then waits 10 minutes (a timed wait: parked as waiting). */
  | 'timed'
  /** Answers at once, then runs on in memory (a 60 s wait: left out of the list) until finished. */
  | 'running'
  /** A Respond to Webhook node names the execution (`{"executionId"}`), then it waits. */
  | 'respondId'
  /** Answers "Workflow was started" and is lost (n8n crashed): no execution is ever stored. */
  | 'crash'
  /**
   * n8n 2.x stopping with the call in flight: no answer (the connection closes), and an execution
   * left `crashed` that ran no node (no run data; the mark is on its stack).
   */
  | 'cut';

const RUN_MODES: Record<FakeRunMode, Omit<WebhookWorkflowOptions, 'path'>> = {
  lastNode: {},
  wait: { waitForResume: true },
  waitGet: { waitForResume: true, waitMethod: 'GET' },
  timed: { waitSeconds: 600 },
  running: { waitSeconds: 60 },
  respondId: { respond: {}, waitForResume: true },
  crash: {},
  cut: {},
};

/** Puts an active workflow into the fake whose webhook (POST /webhook/<path>) runs in `mode`. */
export function addRunWorkflow(
  fake: FakeN8n,
  workflow: { id: string; name: string; path: string; mode: FakeRunMode },
): FakeWorkflow {
  const body = webhookWorkflow({ path: workflow.path, name: workflow.name, ...RUN_MODES[workflow.mode] });
  const added = fake.addWorkflow(workflow.id, workflow.name, { nodes: body.nodes, connections: body.connections });
  if (workflow.mode === 'crash') fake.state.dropRuns.add(workflow.id);
  if (workflow.mode === 'cut') fake.state.cutRuns.add(workflow.id);
  return added;
}

/** Changes what a workflow added by addRunWorkflow does from now on (its path stays). */
export function setRunMode(fake: FakeN8n, id: string, mode: FakeRunMode): void {
  fake.editWorkflow(id, (wf) => {
    const path = String(wf.nodes.find((n) => n.type === WEBHOOK)?.parameters?.path ?? '');
    const body = webhookWorkflow({ path, name: wf.name, ...RUN_MODES[mode] });
    wf.nodes = body.nodes;
    wf.connections = body.connections;
  });
  if (mode === 'crash') fake.state.dropRuns.add(id);
  else fake.state.dropRuns.delete(id);
  if (mode === 'cut') fake.state.cutRuns.add(id);
  else fake.state.cutRuns.delete(id);
}
