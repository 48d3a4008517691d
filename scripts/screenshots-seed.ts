/**
 * Realistic data for the screenshot tour (scripts/screenshots.ts), put in through the contract
 * exactly as an operator's console would: two instances, synced workflows, named mappings, runs
 * that succeeded, failed, were dead-lettered or wait, a retry chain, pending approvals, a
 * schedule, an alert rule that fires, a draft and a backup.
 */
import { webhookWorkflow } from '../src/main/core/testing/n8n-workflows';
import type { FakeN8n } from '../src/main/core/testing/fake-n8n';

type Call = <T>(channel: string, input: unknown) => Promise<T>;

/** Set per seed(): a failing step throws (tests) or is reported and skipped (the tour: a thinner screenshot beats none). */
let strict = false;

async function step(label: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message = `seed: ${label} failed: ${error instanceof Error ? error.message : String(error)}`;
    if (strict) throw new Error(message);
    console.warn(message);
  }
}

const until = async (label: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (strict) throw new Error(`seed: gave up waiting for ${label}`);
  console.warn(`seed: gave up waiting for ${label}`);
};

export async function seed(call: Call, dev: FakeN8n, prod: FakeN8n, options: { strict?: boolean } = {}): Promise<void> {
  strict = options.strict ?? false;
  for (const n8n of [dev, prod]) {
    n8n.addWorkflow('wfOrders000000001', 'Orders → CRM', {
      tags: ['shop'],
      nodes: webhookWorkflow({ path: 'orders' }).nodes,
    });
    n8n.addWorkflow('wfRefunds00000001', 'Refund payout', {
      tags: ['finance'],
      nodes: webhookWorkflow({ path: 'refunds', fail: true }).nodes,
    });
    n8n.addWorkflow('wfInvoice00000001', 'Invoice mailer', {
      tags: ['finance'],
      nodes: webhookWorkflow({ path: 'invoices' }).nodes,
    });
    n8n.addWorkflow('wfSignoff00000001', 'Manager sign-off', {
      nodes: webhookWorkflow({ path: 'signoff', waitForResume: true }).nodes,
    });
    n8n.addWorkflow('wfLegacy000000001', 'Legacy export (paused)', { active: false, path: 'legacy' });
    n8n.addExecutions(6, 'wfOrders000000001', 'success');
    n8n.addExecutions(2, 'wfRefunds00000001', 'error');
  }
  // The invoice mailer's webhook says the input can never succeed: those runs are dead-lettered.
  prod.state.doorFault = (c) =>
    c.path.includes('invoices') ? { status: 422, body: { message: 'Unknown customer' } } : undefined;

  const ids: Record<string, string> = {};
  for (const [name, n8n, environment, color] of [
    ['dev', dev, 'dev', '#3aa675'],
    ['prod', prod, 'prod', '#d9485f'],
  ] as const) {
    await step(`instance ${name}`, async () => {
      const { id } = await call<{ id: string }>('instances:add', {
        name,
        baseUrl: n8n.baseUrl,
        apiKey: n8n.apiKey,
        environment,
        color,
        syncEnabled: false,
      });
      ids[name] = id;
      await call('instances:syncNow', { id });
    });
  }
  const prodId = ids.prod;
  if (!prodId) return;

  const mappings = [
    { name: 'Orders placed', event: 'order.placed', webhookPath: 'orders', workflowId: 'wfOrders000000001' },
    { name: 'Refund requested', event: 'refund.requested', webhookPath: 'refunds', workflowId: 'wfRefunds00000001' },
    { name: 'Invoice sent', event: 'invoice.sent', webhookPath: 'invoices', workflowId: 'wfInvoice00000001' },
    { name: 'Sign-off needed', event: 'signoff.needed', webhookPath: 'signoff', workflowId: 'wfSignoff00000001' },
  ];
  for (const m of mappings)
    await step(`mapping ${m.name}`, () => call('mappings:create', { mapping: { ...m, instanceId: prodId } }));
  await step('gated mapping', () =>
    call('mappings:create', {
      mapping: {
        name: 'Large refund (needs approval)',
        event: 'refund.large',
        instanceId: prodId,
        webhookPath: 'orders',
        workflowId: 'wfOrders000000001',
        requiresApproval: true,
        approvalTitle: 'Refund {{amount}} EUR to {{customer}}',
        approvalExpiry: null,
      },
    }),
  );

  for (let i = 1; i <= 5; i++)
    await step('order', () =>
      call('ingest:emit', { event: 'order.placed', payload: { order: `A-10${i}`, total: 40 + i * 7 } }),
    );
  for (let i = 1; i <= 2; i++)
    await step('refund', () =>
      call('ingest:emit', { event: 'refund.requested', payload: { order: `A-20${i}`, amount: 19.9 } }),
    );
  await step('invoice', () =>
    call('ingest:emit', { event: 'invoice.sent', payload: { invoice: 'INV-3001', customer: 'unknown' } }),
  );
  await step('sign-off', () =>
    call('ingest:emit', { event: 'signoff.needed', payload: { request: 'PO-77', amount: 12_500 } }),
  );
  for (const [customer, amount] of [
    ['Acme GmbH', 2400],
    ['Globex', 980],
    ['Initech', 15_000],
  ] as const) {
    await step('approval', () => call('ingest:emit', { event: 'refund.large', payload: { customer, amount } }));
  }

  type Listed = { executions: { id: number; status: string; source?: string }[] };
  await until('runs to settle', async () => {
    const { executions } = await call<Listed>('executions:list', { limit: 100 });
    return executions.filter((e) => e.status === 'failed').length >= 2;
  });
  await step('retry chain', async () => {
    const { executions } = await call<Listed>('executions:list', { limit: 100 });
    const failed = executions.find((e) => e.status === 'failed');
    if (failed) await call('runs:retry', { ids: [failed.id], dryRun: false, reason: 'CRM was down' });
  });

  await step('schedule', () =>
    call('schedules:create', {
      draft: {
        name: 'Nightly order report',
        event: 'order.placed',
        payload: { report: 'nightly' },
        timing: { kind: 'cron', expression: '0 3 * * *', timeZone: 'Europe/Berlin' },
      },
    }),
  );
  await step('schedule', () =>
    call('schedules:create', {
      draft: {
        name: 'Hourly stock sync',
        event: 'order.placed',
        payload: {},
        timing: { kind: 'interval', everyMs: 3_600_000, timeZone: 'UTC' },
      },
    }),
  );
  await step('alert rule', () =>
    call('alerts:createRule', {
      rule: {
        name: 'Refunds failing',
        workflowId: 'wfRefunds00000001',
        cooldownMs: 0,
        condition: { kind: 'error_rate', thresholdPct: 10, windowMs: 3_600_000, minRuns: 1 },
      },
    }),
  );
  await step('draft', () => call('drafts:clone', { instanceId: prodId, workflowId: 'wfOrders000000001' }));
  await step('draft', () => call('drafts:create', { name: 'Churn follow-up (new)', instanceId: null }));
  await step('backup', () => call('backups:export', {}));
}
