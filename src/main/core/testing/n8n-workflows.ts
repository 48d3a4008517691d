/**
 * Workflow bodies n8n's public API accepts, for the fake n8n (fake-n8n.ts) and a real one
 * (tests/n8n/harness.ts) alike: Webhook → Set (→ Respond) (→ Stop and Error | Wait). The fake decides a
 * run's outcome from the same nodes, so one fixture means the same thing on both.
 */
/** A node as the public API takes it: name and type, the rest as n8n wants it. */
export interface WorkflowNode {
  name: string;
  type: string;
  [key: string]: unknown;
}

export interface WebhookWorkflowOptions {
  /** Webhook path: the workflow answers POST /webhook/<path>. */
  path: string;
  name?: string;
  /** Ends in a Stop and Error node: every run fails (for retry tests). */
  fail?: boolean;
  /** Waits for POST /webhook-waiting/<executionId> before finishing. */
  waitForResume?: boolean;
  /** The method the Wait node's resume webhook listens to (default POST). */
  waitMethod?: 'GET' | 'POST';
  /**
   * Waits this many seconds instead (a Wait node on a time interval): under 65 s n8n keeps the
   * run in memory (`running`), longer it parks it (`waiting` until its waitTill).
   */
  waitSeconds?: number;
  /**
   * A Respond to Webhook node answers the call (after Set, before any wait) with this status and
   * `{"executionId": "<the execution's id>"}`, as workflows that name their run do.
   */
  respond?: { status?: number };
}

/** A workflow body the public API accepts: Webhook → Set (→ Respond) (→ Stop and Error | Wait). */
export function webhookWorkflow(options: WebhookWorkflowOptions) {
  const nodes: WorkflowNode[] = [
    {
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      webhookId: `fd-${options.path}`,
      parameters: {
        httpMethod: 'POST',
        path: options.path,
        responseMode: options.respond
          ? 'responseNode'
          : options.waitForResume || options.waitSeconds !== undefined
            ? 'onReceived'
            : 'lastNode',
      },
    },
    {
      id: 'a1b2c3d4-0000-4000-8000-000000000002',
      name: 'Set',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [220, 0],
      parameters: {
        assignments: { assignments: [{ id: 'x1', name: 'received', value: '={{ $json.body }}', type: 'object' }] },
        options: {},
      },
    },
  ];
  const connections: Record<string, unknown> = { Webhook: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } };
  const waits = options.waitForResume || options.waitSeconds !== undefined;
  const last = options.fail ? 'Fail' : waits ? 'Wait' : undefined;
  if (options.fail) {
    nodes.push({
      id: 'a1b2c3d4-0000-4000-8000-000000000003',
      name: 'Fail',
      type: 'n8n-nodes-base.stopAndError',
      typeVersion: 1,
      position: [440, 0],
      parameters: { errorMessage: 'deliberate failure' },
    });
  }
  if (waits) {
    nodes.push({
      id: 'a1b2c3d4-0000-4000-8000-000000000004',
      name: 'Wait',
      type: 'n8n-nodes-base.wait',
      typeVersion: 1.1,
      position: [440, 0],
      webhookId: `fd-wait-${options.path}`,
      parameters: options.waitForResume
        ? { resume: 'webhook', httpMethod: options.waitMethod ?? 'POST', options: {} }
        : { resume: 'timeInterval', amount: options.waitSeconds, unit: 'seconds' },
    });
  }
  // Set → (Respond →) Fail | Wait.
  let from = 'Set';
  if (options.respond) {
    nodes.push({
      id: 'a1b2c3d4-0000-4000-8000-000000000005',
      name: 'Respond',
      type: 'n8n-nodes-base.respondToWebhook',
      typeVersion: 1.1,
      position: [330, 0],
      parameters: {
        respondWith: 'json',
        responseBody: '={ "executionId": "{{ $execution.id }}" }',
        options: { responseCode: options.respond.status ?? 200 },
      },
    });
    connections.Set = { main: [[{ node: 'Respond', type: 'main', index: 0 }]] };
    from = 'Respond';
  }
  if (last) connections[from] = { main: [[{ node: last, type: 'main', index: 0 }]] };
  return { name: options.name ?? `fixture ${options.path}`, nodes, connections, settings: { executionOrder: 'v1' } };
}
