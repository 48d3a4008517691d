import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { calls, type CallChannel } from '../../src/shared/contract';
import { ERROR_CODES, type Result } from '../../src/shared/result';
import { ManualClock } from '../../src/main/core/testing/manual-clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import type { Logger } from '../../src/main/core/logger';
import { ManualTimers } from '../../src/main/core/testing/manual-timers';
import { tempDir } from '../../src/main/core/testing/test-core';
import { LOOPBACK_API_KEY, startLoopbackN8n, type LoopbackN8n } from './loopback-n8n';
import { openStoreProbe, type Checksums, type StoreProbe } from './store-probe';

/**
 * A real core on a temp data folder, seeded through its own contract with a little of
 * everything (instances, mappings, runs, approvals, schedules, rules, drafts, backups), and the
 * checks every fuzzed call must pass.
 *
 * Time is frozen (a manual clock, manual timers for the sync loop and the linker), so the only
 * background work is what a call starts at once: dispatching a queued run to the loopback n8n,
 * resuming a decided wait. `settle()` waits for that to finish before the next call is judged.
 */
export interface ContractWorld {
  core: Core;
  dataDir: string;
  loop: LoopbackN8n;
  probe: StoreProbe;
  /** Folder for backup schedules the fuzzer may point at (inside the temp dir). */
  scratch: string;
  /** Ids handed out by the seed that the pools below cannot query (restore and upload ids). */
  known: { restoreIds: string[]; uploadIds: string[]; backupFiles: string[] };
  /** Errors the core logged (handler crashes are logged before they become INTERNAL). */
  loggedErrors: { message: string; fields: unknown }[];
  check(channel: string, input: unknown): Promise<CallVerdict>;
  /** Puts back what fuzzed calls removed or broke (instances, mappings, pending approvals…). */
  replenish(): Promise<void>;
  close(): Promise<void>;
}

export interface CallVerdict {
  result: Result<unknown>;
  /** Tables a refused call changed. */
  changed: string[];
}

/** Thrown by `check` with everything needed to understand the failing call. */
export class FuzzFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Refusals that are the outcome of an attempt at n8n rather than of bad input: the attempt is
 * recorded on purpose, for the operator to see (the push history and the sync log are what the
 * UI shows). Everything else a refused call writes is a bug.
 */
const ATTEMPT_RECORDS: Record<string, { codes: RegExp; tables: string[] }> = {
  // A push that reached n8n and was refused (or found n8n changed) is kept as a failed/conflict row.
  'drafts:push': { codes: /^(N8N_|CONFLICT$)/, tables: ['draft_pushes'] },
  // A sync pass that could not read n8n records its failure and the instance's health.
  'instances:syncNow': { codes: /^N8N_/, tables: ['sync_log', 'instance_sync_state'] },
};

function unexpectedChanges(channel: string, code: string, changed: string[]): string[] {
  const allowed = ATTEMPT_RECORDS[channel];
  if (!allowed || !allowed.codes.test(code)) return changed;
  return changed.filter((table) => !allowed.tables.includes(table));
}

/** A short, printable description of a fuzzed input (they can be megabytes deep). */
export function describeInput(input: unknown, max = 600): string {
  let text: string;
  try {
    text = JSON.stringify(input, (_k, v: unknown) =>
      typeof v === 'string' && v.length > 120
        ? `${v.slice(0, 40)}…(${v.length} chars)`
        : typeof v === 'number' && !Number.isFinite(v)
          ? String(v)
          : typeof v === 'bigint'
            ? `${v}n`
            : v,
    );
  } catch (error) {
    text = `(not printable: ${(error as Error).message})`;
  }
  if (text === undefined) text = String(input);
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { ok?: unknown; data?: unknown; error?: unknown };
  if (r.ok === true) return 'data' in r;
  if (r.ok !== false || typeof r.error !== 'object' || r.error === null) return false;
  const e = r.error as { code?: unknown; message?: unknown; retryable?: unknown };
  return (
    typeof e.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(e.code) &&
    typeof e.message === 'string' &&
    e.message.length > 0 &&
    typeof e.retryable === 'boolean'
  );
}

/** Signs like an n8n workflow would: HMAC-SHA256 of `<timestamp>.<body>` with the ingest secret. */
export function signIngest(secret: string, timestampMs: number, body: string | Buffer): Record<string, string> {
  const signature = 'sha256=' + createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
  return {
    'content-type': 'application/json',
    'x-flightdeck-timestamp': String(timestampMs),
    'x-flightdeck-signature': signature,
  };
}

async function must<T>(core: Core, channel: CallChannel, input: unknown): Promise<T> {
  const result = await core.invoke(channel, input);
  if (!result.ok) throw new Error(`seeding ${channel} failed: ${JSON.stringify(result.error)}`);
  return result.data as T;
}

export async function createContractWorld(): Promise<ContractWorld> {
  const dir = tempDir('flightdeck-fuzz-');
  const dataDir = dir.path;
  const scratch = join(dataDir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  const loop = await startLoopbackN8n();
  const clock = new ManualClock(Date.UTC(2026, 0, 2, 9));
  const loggedErrors: ContractWorld['loggedErrors'] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (message, fields) => void loggedErrors.push({ message, fields }),
  };
  const core = createCore({
    dataDir,
    clock,
    logger,
    version: '0.0.0-fuzz',
    ingestPort: 0,
    metrics: { pollMs: 0 },
    n8n: { timers: new ManualTimers(() => clock.now()), retries: 0, timeoutMs: 5_000 },
    linker: { timers: new ManualTimers(() => clock.now()) },
  });
  const probe = openStoreProbe(dataDir);
  const known: ContractWorld['known'] = { restoreIds: [], uploadIds: [], backupFiles: [] };

  // ---- the seed: what an operator would have after a week -------------------------------------
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
      await must(core, 'instances:update', { id: ids.live, patch: { baseUrl: loop.url, apiKey: LOOPBACK_API_KEY } });
    } else {
      ids.live = (
        await must<{ id: string }>(core, 'instances:add', {
          name: `Loopback ${++ids.serial}`,
          baseUrl: loop.url,
          apiKey: LOOPBACK_API_KEY,
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
    executionId: '103',
    resumeUrl: `${loop.url}/webhook-waiting/103`,
    workflowId: 'wf-refunds',
    summary: 'Refund 40 EUR to ana@example.com',
    payload: { amount: 40 },
    priority: 1,
  });
  const registered = await fetch(`${info.url}/approvals`, {
    method: 'POST',
    headers: signIngest(secret, clock.now(), body),
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

  let settledAt: { version: number; sums: Checksums } | undefined;
  let servedAt = loop.served;

  /** Waits until no commit, no dispatch and no request to n8n happened for a little while. */
  async function settle(): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last = probe.dataVersion();
    let quietSince = Date.now();
    for (;;) {
      await sleep(4);
      const version = probe.dataVersion();
      const busy = loop.inFlight > 0 || probe.count("SELECT count(*) FROM jobs WHERE state = 'active'") > 0;
      if (version !== last || busy) {
        last = version;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= 12) return;
      if (Date.now() > deadline) throw new FuzzFailure('Background work did not settle within 15 s.');
    }
  }

  /** The checksums of the settled store (recomputed only when something committed since). */
  function baseline(): Checksums {
    const version = probe.dataVersion();
    if (!settledAt || settledAt.version !== version) settledAt = { version, sums: probe.checksums() };
    return settledAt.sums;
  }

  await settle();

  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);

  return {
    core,
    dataDir,
    loop,
    probe,
    scratch,
    known,
    loggedErrors,
    async replenish() {
      await replenish();
      await settle();
    },
    async check(channel, input) {
      const before = baseline();
      const versionBefore = probe.dataVersion();
      const errorsBefore = loggedErrors.length;
      const shown = () => `${channel} ${describeInput(input)}`;
      let result: unknown;
      try {
        result = await core.invoke(channel, input);
      } catch (error) {
        throw new FuzzFailure(
          `invoke threw instead of answering a Result: ${(error as Error).stack}\n  call: ${shown()}`,
        );
      }
      if (unhandled.length > 0) {
        throw new FuzzFailure(`an unhandled rejection escaped: ${String(unhandled.splice(0)[0])}\n  call: ${shown()}`);
      }
      if (!isResult(result))
        throw new FuzzFailure(`the answer is not a Result: ${describeInput(result)}\n  call: ${shown()}`);
      let changed: string[] = [];
      if (!result.ok) {
        if (result.error.code === 'INTERNAL') {
          const logged = loggedErrors.slice(errorsBefore).map((e) => describeInput(e.fields, 400));
          throw new FuzzFailure(
            `INTERNAL: ${result.error.message}\n  logged: ${logged.join(' | ')}\n  call: ${shown()}`,
          );
        }
        if (probe.dataVersion() !== versionBefore) {
          changed = unexpectedChanges(channel, result.error.code, probe.diff(before, probe.checksums()));
          if (changed.length > 0) {
            throw new FuzzFailure(
              `refused with ${result.error.code} ("${result.error.message}") but changed ${changed.join(', ')}\n  call: ${shown()}`,
            );
          }
        }
      } else {
        const output = (calls as Record<string, { output: z.ZodType }>)[channel]?.output.safeParse(result.data);
        if (output && !output.success) {
          const issues = output.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`);
          throw new FuzzFailure(
            `the answer does not match the declared output schema (${issues.join('; ')}): ${describeInput(result.data, 400)}\n  call: ${shown()}`,
          );
        }
      }
      if (result.ok || probe.dataVersion() !== versionBefore || loop.served !== servedAt) {
        servedAt = loop.served;
        await settle();
      }
      return { result, changed };
    },
    async close() {
      process.off('unhandledRejection', onUnhandled);
      probe.close();
      await core.close();
      await loop.close();
      dir.remove();
    },
  };
}
