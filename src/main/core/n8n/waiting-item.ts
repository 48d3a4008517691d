import type { N8nExecution } from './schemas';

/**
 * What an execution in status `waiting` is waiting on, read from the run data n8n returns with
 * `includeData=true` (the same shape on 1.123 and 2.x): the node on top of the execution stack
 * with its parameters, and the item it holds.
 */
export interface WaitInfo {
  /** The waiting node's name. */
  node: string;
  /** n8n node type, e.g. n8n-nodes-base.wait. */
  nodeType: string;
  /** The Wait node's `resume`: webhook, form, timeInterval, specificTime (null for other node types). */
  resume: string | null;
  /** HTTP method the resume webhook listens to (the Wait node's `httpMethod`). */
  httpMethod: string | null;
  /** The Wait node's optional webhook suffix: the resume URL is /webhook-waiting/<id>/<suffix>. */
  suffix: string | null;
  /** n8n's workflow name at the time of the execution (the synced copy may not exist). */
  workflowName: string | null;
  /** The first item the node holds (its JSON), trimmed to a few KB. */
  item: unknown;
  /** When n8n resumes it by itself (epoch ms); null or year 3000 for "until resumed". */
  waitTillMs: number | null;
}

const ITEM_BYTES = 4096;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** The JSON of the first item on the first main input/output of a node's data. */
function firstItem(data: unknown): unknown {
  if (!isRecord(data) || !Array.isArray(data.main)) return undefined;
  const first: unknown = data.main[0];
  if (!Array.isArray(first)) return undefined;
  const item: unknown = first[0];
  return isRecord(item) ? item.json : undefined;
}

/**
 * Keeps an item readable and small: whole when it fits, else its top-level scalar fields. A
 * Webhook node's output loses its request headers (they may carry credentials, and the inbox
 * shows the item).
 */
function trimItem(raw: unknown): unknown {
  if (raw === undefined) return null;
  let item = raw;
  if (isRecord(item) && 'headers' in item && 'body' in item) {
    const { headers: _headers, ...rest } = item;
    item = rest;
  }
  const json = JSON.stringify(item);
  if (json === undefined || json.length <= ITEM_BYTES) return item;
  if (!isRecord(item)) return json.slice(0, ITEM_BYTES);
  return Object.fromEntries(
    Object.entries(item)
      .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
      .slice(0, 50)
      .map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 200) : v]),
  );
}

/**
 * The wait of an execution n8n reports `waiting`, or null when the run data does not say
 * (saved without data, or another shape).
 */
export function waitInfoOf(
  execution: Pick<N8nExecution, 'status' | 'data' | 'waitTill'> & { workflowData?: unknown },
): WaitInfo | null {
  const data = execution.data;
  if (!isRecord(data)) return null;
  const stack = isRecord(data.executionData) ? data.executionData.nodeExecutionStack : undefined;
  const top: unknown = Array.isArray(stack) ? stack[0] : undefined;
  const resultData = isRecord(data.resultData) ? data.resultData : {};
  let node: Record<string, unknown> | null = isRecord(top) && isRecord(top.node) ? top.node : null;
  let item = isRecord(top) ? firstItem(top.data) : undefined;
  const workflowData = isRecord(execution.workflowData) ? execution.workflowData : null;
  if (!node) {
    // No stack: fall back to the last node run and its definition in the workflow.
    const last = str(resultData.lastNodeExecuted);
    const nodes = workflowData && Array.isArray(workflowData.nodes) ? workflowData.nodes : [];
    const found: unknown = nodes.find((n) => isRecord(n) && n.name === last);
    node = isRecord(found) ? found : null;
  }
  if (!node) return null;
  const name = str(node.name) ?? '';
  if (item === undefined && isRecord(resultData.runData)) {
    const runs = resultData.runData[name];
    if (Array.isArray(runs))
      item = firstItem(isRecord(runs.at(-1)) ? (runs.at(-1) as Record<string, unknown>).data : null);
  }
  const parameters = isRecord(node.parameters) ? node.parameters : {};
  const options = isRecord(parameters.options) ? parameters.options : {};
  const nodeType = str(node.type) ?? '';
  return {
    node: name,
    nodeType,
    resume: nodeType === 'n8n-nodes-base.wait' ? (str(parameters.resume) ?? 'timeInterval') : null,
    httpMethod: str(parameters.httpMethod),
    suffix: str(options.webhookSuffix),
    workflowName: workflowData ? str(workflowData.name) : null,
    item: trimItem(item),
    waitTillMs: typeof execution.waitTill === 'number' ? execution.waitTill : null,
  };
}

/**
 * Whether Flightdeck can decide this wait: a Wait node that resumes on a webhook call, answering
 * POST (the decision is POSTed as JSON). Timed waits, forms and send-and-wait nodes stay in n8n.
 */
export function resumableByDecision(wait: WaitInfo | null): boolean {
  return (
    wait !== null &&
    wait.nodeType === 'n8n-nodes-base.wait' &&
    wait.resume === 'webhook' &&
    (wait.httpMethod ?? 'GET').toUpperCase() === 'POST'
  );
}

/**
 * A short, readable line of an item's fields for an inbox title: `amount: 42, customer: ana`.
 * A Webhook node's output ({headers, body, …}) is read through its body. Never longer than `max`.
 */
export function summarizeFields(value: unknown, max = 100): string {
  let root = value;
  if (isRecord(root) && 'headers' in root && 'body' in root) root = root.body;
  const parts: string[] = [];
  const queue: [string, unknown, number][] = [['', root, 0]];
  while (queue.length > 0 && parts.join(', ').length < max) {
    const [key, v, depth] = queue.shift() as [string, unknown, number];
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
      const text = typeof v === 'string' ? v.replace(/\s+/g, ' ').trim() : String(v);
      if (text) parts.push(key ? `${key}: ${text.slice(0, 60)}` : text.slice(0, 60));
    } else if (isRecord(v) && depth < 3) {
      for (const [k, child] of Object.entries(v).slice(0, 20)) queue.push([k, child, depth + 1]);
    } else if (Array.isArray(v) && depth < 3) {
      parts.push(`${key || 'items'}: ${v.length} item${v.length === 1 ? '' : 's'}`);
    }
  }
  const line = parts.join(', ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
