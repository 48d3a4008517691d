import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallChannel } from '../../src/shared/contract';
import type { Core } from '../../src/main/core/create-core';
import { signIngest } from './host-process';
import { FUZZ_N8N_API_KEY, type FuzzN8n } from './fuzz-n8n';
import type { StoreProbe } from './store-probe';

/**
 * What an operator would have after a week, made through the core's own contract (and, for an
 * n8n wait, through the signed HTTP door): two instances (one on the loopback n8n, one on a closed
 * port), mappings (plain, gated, rate-limited), runs, pending and decided approvals, a rule, saved
 * views, schedules of each kind, an alert rule, drafts, a backup file, an inspected restore, an
 * upload and an n8n snapshot.
 */

async function must<T>(core: Core, channel: CallChannel, input: unknown): Promise<T> {
  const result = await core.invoke(channel, input);
  if (!result.ok) throw new Error(`seeding ${channel} failed: ${JSON.stringify(result.error)}`);
  return result.data as T;
}

export interface SeedOptions {
  core: Core;
  probe: StoreProbe;
  loop: FuzzN8n;
  dataDir: string;
  now: () => number;
}

export async function seedContractWorld({ core, probe, loop, dataDir, now }: SeedOptions) {
  const known = { restoreIds: [] as string[], uploadIds: [] as string[], backupFiles: [] as string[] };
  await must(core, 'settings:update', { patch: { operatorName: 'fuzzer', retentionDays: 30 } });
  const ids = { live: '', closed: '', serial: 0 };
  const exists = (table: string, id: unknown) => probe.count(`SELECT count(*) FROM ${table} WHERE id = ?`, id) > 0;

  /**
   * Tops the seed up again: fuzzed calls remove, rename, re-key and restore things, and a channel
   * fuzzed after `mappings:remove` would otherwise only ever meet NOT_FOUND. Run before each channel.
   */
  async function replenish(): Promise<void> {
    if (exists('instances', ids.live)) {
      // A fuzzed update may have given it another address or key: give the real ones back.
      await must(core, 'instances:update', {
        id: ids.live,
        patch: { baseUrl: loop.baseUrl, apiKey: FUZZ_N8N_API_KEY },
      });
    } else {
      ids.live = (
        await must<{ id: string }>(core, 'instances:add', {
          name: `Loopback ${++ids.serial}`,
          baseUrl: loop.baseUrl,
          apiKey: FUZZ_N8N_API_KEY,
          environment: 'prod',
          color: '#2f6fed',
          syncEnabled: true,
        })
      ).id;
      await must(core, 'instances:syncNow', { id: ids.live });
    }
    if (!exists('instances', ids.closed)) {
      ids.closed = (
        await must<{ id: string }>(core, 'instances:add', {
          name: `Closed port ${++ids.serial}`,
          baseUrl: 'http://127.0.0.1:1',
          apiKey: 'closed-port-key',
          environment: 'dev',
          color: '#aa3300',
          syncEnabled: false,
        })
      ).id;
      await must(core, 'queue:pause', { instanceId: ids.closed, reason: 'n8n dev is down' });
    }
    const mappings = [
      {
        event: 'order.created',
        instanceId: ids.live,
        workflowId: 'wf-orders',
        webhookPath: 'orders/new',
        conditions: [{ path: 'amount', op: 'gte', value: 0 }],
        transform: { mode: 'pick', fields: [{ from: 'amount' }, { from: 'customer.tier', to: 'tier' }], constants: [] },
      },
      {
        event: 'refund.requested',
        instanceId: ids.live,
        workflowId: 'wf-refunds',
        webhookPath: 'refunds',
        requiresApproval: true,
        approvalExpiry: { afterMs: 86_400_000, action: 'reject' },
      },
      {
        event: 'report.daily',
        instanceId: ids.closed,
        webhookPath: 'reports',
        retry: { attempts: 1, backoff: 'fixed', delayMs: 0, maxDelayMs: 0, jitter: 0 },
        rateLimit: { max: 10, perMs: 60_000 },
        concurrency: 2,
      },
    ];
    // Mappings left pointing at a removed instance refuse every emit of their event (all or nothing).
    for (const id of probe.ids('SELECT id FROM mappings WHERE instance_id NOT IN (SELECT id FROM instances)')) {
      await must(core, 'mappings:remove', { id });
    }
    for (const mapping of mappings) {
      const active = 'SELECT count(*) FROM mappings WHERE event = ? AND instance_id = ? AND active = 1';
      if (probe.count(active, mapping.event, mapping.instanceId) === 0)
        await must(core, 'mappings:create', { mapping });
    }
    if (probe.count("SELECT count(*) FROM approvals WHERE status = 'pending'") < 3) {
      for (const amount of [5, 40, 120]) {
        await must(core, 'ingest:emit', { event: 'refund.requested', payload: { amount, reason: 'damaged' } });
      }
    }
    if (probe.count("SELECT count(*) FROM executions WHERE source = 'local'") < 4) {
      for (const amount of [5, 40, 120]) {
        await must(core, 'ingest:emit', { event: 'order.created', payload: { amount, customer: { tier: 'gold' } } });
      }
      await must(core, 'ingest:emit', { event: 'report.daily', payload: { day: '2026-01-01' } });
    }
    if (probe.count('SELECT count(*) FROM schedules WHERE enabled = 1') < 2) {
      const cron = await must<{ id: number }>(core, 'schedules:create', {
        draft: {
          name: `Daily report ${++ids.serial}`,
          event: 'report.daily',
          payload: { kind: 'daily' },
          timing: { kind: 'cron', expression: '0 9 * * *', timeZone: 'Europe/Berlin' },
        },
      });
      await must(core, 'schedules:runNow', { id: cron.id });
      await must(core, 'schedules:create', {
        draft: {
          name: `Every ten minutes ${++ids.serial}`,
          event: 'order.created',
          payload: { amount: 1 },
          timing: { kind: 'interval', everyMs: 600_000, timeZone: 'UTC' },
          overlap: 'buffer',
        },
      });
      await must(core, 'schedules:create', {
        draft: {
          name: `Once in March ${++ids.serial}`,
          event: 'order.created',
          timing: { kind: 'once', at: '2026-03-29T02:30', timeZone: 'Europe/Berlin' },
        },
      });
    }
    if (probe.count('SELECT count(*) FROM drafts WHERE instance_id = ?', ids.live) < 2) {
      await must(core, 'drafts:create', { name: `Blank draft ${++ids.serial}`, instanceId: ids.live });
      await must(core, 'drafts:clone', { instanceId: ids.live, workflowId: 'wf-orders' });
    }
    if (probe.count('SELECT count(*) FROM n8n_snapshots WHERE instance_id = ?', ids.live) === 0) {
      await must(core, 'backups:snapshotTake', { instanceId: ids.live, label: 'before fuzzing' });
    }
  }

  await replenish();
  await must(core, 'ingest:emit', { event: 'order.created', payload: { amount: 7 }, idempotencyKey: 'order-7' });

  // A workflow paused on a Wait node registers through the signed HTTP door, as n8n would.
  const info = await must<{ url: string }>(core, 'ingest:info', {});
  const secret = readFileSync(join(dataDir, 'keys', 'ingest.secret'), 'utf8').trim();
  const body = JSON.stringify({
    instanceId: ids.live,
    executionId: loop.waitingExecutionId,
    resumeUrl: `${loop.baseUrl}/webhook-waiting/${loop.waitingExecutionId}`,
    workflowId: 'wf-refunds',
    summary: 'Refund 40 EUR to ana@example.com',
    payload: { amount: 40 },
    priority: 1,
  });
  const registered = await fetch(`${info.url}/approvals`, {
    method: 'POST',
    headers: signIngest(secret, now(), body),
    body,
  });
  if (registered.status !== 201) throw new Error(`seeding a wait failed: ${registered.status}`);

  const pending = await must<{ items: { id: number }[] }>(core, 'approvals:list', {});
  const [first, second] = pending.items;
  if (first) await must(core, 'approvals:comment', { id: first.id, body: 'Checking with finance' });
  if (first) await must(core, 'approvals:claim', { id: first.id });
  if (second) await must(core, 'approvals:decide', { id: second.id, decision: 'approve' });
  await must(core, 'approvals:saveRule', {
    rule: { name: 'Small refunds', conditions: [{ path: 'amount', op: 'lt', value: 10 }], dailyLimit: 50 },
  });
  await must(core, 'approvals:saveView', { name: 'Urgent', filter: { status: 'open', maxPriority: 2 } });
  const orders = probe.ids("SELECT id FROM mappings WHERE event = 'order.created'")[0];
  await must(core, 'runs:saveView', { name: 'Failed orders', filter: { status: ['failed'], mappingId: orders } });
  await must(core, 'alerts:createRule', {
    rule: { name: 'Errors above 5%', condition: { kind: 'error_rate', thresholdPct: 5, windowMs: 3_600_000 } },
  });
  const exported = await must<{ file: { path: string } }>(core, 'backups:export', { includeExecutions: true });
  known.backupFiles.push(exported.file.path);
  const plan = await must<{ restoreId: string }>(core, 'backups:inspect', {
    source: { kind: 'file', path: exported.file.path },
  });
  known.restoreIds.push(plan.restoreId);
  known.uploadIds.push('fuzz-upload-0001');
  await must(core, 'backups:upload', { uploadId: 'fuzz-upload-0001', offset: 0, dataBase64: 'H4sIAAAAAAAA' });

  return { replenish, known };
}
