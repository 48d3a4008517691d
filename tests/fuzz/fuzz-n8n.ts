import { startFakeN8n, type FakeN8n } from '../../src/main/core/testing/fake-n8n';
import { webhookWorkflow } from '../../src/main/core/testing/n8n-workflows';

/**
 * The fuzz suite's n8n: the one loopback fake n8n (src/main/core/testing/fake-n8n.ts, pinned by
 * n8n-spec.ts against a real n8n), seeded so that every contract call reaching n8n meets
 * something: an active workflow whose webhook names its execution (`orders/new`), an inactive
 * one that waits for a resume (`refunds`), six executions of every status (one of them waiting),
 * a tag and a variable (licensed). Its `state.served` and `state.inFlight` let the suite tell
 * when the core's background work (dispatch, resumes) has settled.
 */
export const FUZZ_N8N_API_KEY = 'fuzz-api-key-0001';

export type FuzzN8n = FakeN8n & {
  /** The seeded execution parked on a Wait node (POST /webhook-waiting/<id> resumes it). */
  waitingExecutionId: string;
};

export async function startFuzzN8n(): Promise<FuzzN8n> {
  const fake = await startFakeN8n({ apiKey: FUZZ_N8N_API_KEY, now: () => Date.UTC(2025, 11, 1) });
  const orders = webhookWorkflow({ path: 'orders/new', name: 'Orders', respond: {} });
  fake.addWorkflow('wf-orders', 'Orders', { nodes: orders.nodes, connections: orders.connections, tags: ['prod'] });
  const refunds = webhookWorkflow({ path: 'refunds', name: 'Refunds', waitForResume: true });
  fake.addWorkflow('wf-refunds', 'Refunds', { active: false, nodes: refunds.nodes, connections: refunds.connections });
  fake.state.variablesLicensed = true;
  fake.state.variables.push({ id: 'var-1', key: 'REGION', value: 'eu', type: 'string' });

  const base = Date.UTC(2025, 11, 31, 12);
  const statuses = ['success', 'error', 'success', 'waiting', 'crashed', 'success'];
  let waitingExecutionId = '';
  statuses.forEach((status, i) => {
    const startedAt = new Date(base + i * 60_000).toISOString();
    const stoppedAt = status === 'waiting' ? null : new Date(base + i * 60_000 + 1_500).toISOString();
    const [added] = fake.addExecutions(1, i % 2 === 0 ? 'wf-orders' : 'wf-refunds', status, {
      createdAt: startedAt,
      startedAt,
      stoppedAt,
    });
    if (status === 'waiting') waitingExecutionId = added!.id;
  });
  return Object.assign(fake, { waitingExecutionId });
}
