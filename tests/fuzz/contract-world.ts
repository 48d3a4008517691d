import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { calls } from '../../src/shared/contract';
import { ERROR_CODES, type Result } from '../../src/shared/result';
import { ManualClock } from '../../src/main/core/testing/manual-clock';
import { createCore, type Core } from '../../src/main/core/create-core';
import type { Logger } from '../../src/main/core/logger';
import { ManualTimers } from '../../src/main/core/testing/manual-timers';
import { tempDir } from '../../src/main/core/testing/test-core';
import { seedContractWorld } from './contract-seed';
import { startFuzzN8n, type FuzzN8n } from './fuzz-n8n';
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
  loop: FuzzN8n;
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
  // A push that reached n8n and was refused (or found n8n changed) is kept as a failed/conflict row;
  // when n8n moved on and both sides merge cleanly, the draft becomes the merged result (a version
  // in its history and an audit entry) for the operator to review before pushing again.
  'drafts:push': {
    codes: /^(N8N_|CONFLICT$)/,
    tables: ['draft_pushes', 'drafts', 'draft_versions', 'audit_log'],
  },
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

export async function createContractWorld(): Promise<ContractWorld> {
  const dir = tempDir('flightdeck-fuzz-');
  const dataDir = dir.path;
  const scratch = join(dataDir, 'scratch');
  mkdirSync(scratch, { recursive: true });
  const loop = await startFuzzN8n();
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

  const seed = await seedContractWorld({ core, probe, loop, dataDir, now: () => clock.now() });
  const replenish = seed.replenish;
  const known = seed.known;

  let settledAt: { version: number; sums: Checksums } | undefined;
  let servedAt = loop.state.served;

  /** Waits until no commit, no dispatch and no request to n8n happened for a little while. */
  async function settle(): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last = probe.dataVersion();
    let quietSince = Date.now();
    for (;;) {
      await sleep(4);
      const version = probe.dataVersion();
      const busy = loop.state.inFlight > 0 || probe.count("SELECT count(*) FROM jobs WHERE state = 'active'") > 0;
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
      if (result.ok || probe.dataVersion() !== versionBefore || loop.state.served !== servedAt) {
        servedAt = loop.state.served;
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
