/**
 * Workflow bodies n8n's public API accepts, for the fake n8n (fake-n8n.ts) and a real one
 * (tests/n8n/harness.ts) alike: Webhook → Set (→ Stop and Error | Wait). The fake decides a
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
}

/** A workflow body the public API accepts: Webhook → Set (→ Stop and Error | Wait). */
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
        responseMode: options.waitForResume ? 'onReceived' : 'lastNode',
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
  const last = options.fail ? 'Fail' : options.waitForResume ? 'Wait' : undefined;
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
  if (options.waitForResume) {
    nodes.push({
      id: 'a1b2c3d4-0000-4000-8000-000000000004',
      name: 'Wait',
      type: 'n8n-nodes-base.wait',
      typeVersion: 1.1,
      position: [440, 0],
      webhookId: `fd-wait-${options.path}`,
      parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
    });
  }
  if (last) connections.Set = { main: [[{ node: last, type: 'main', index: 0 }]] };
  return { name: options.name ?? `fixture ${options.path}`, nodes, connections, settings: { executionOrder: 'v1' } };
}
