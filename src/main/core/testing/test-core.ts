import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { ManualClock } from './manual-clock';
import { createAuditLog, type AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import { createCore, type Core, type CoreOptions } from '../create-core';
import { migrations } from '../db/migrations';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { silentLogger } from '../logger';

/** A fresh data directory per test, removed afterwards. */
export function tempDir(prefix = 'flightdeck-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A core on a real SQLite file in a temp dir, with a manual clock; every reply is checked against its output schema. */
export function testCore(options: Partial<CoreOptions> = {}): {
  core: Core;
  clock: ManualClock;
  dataDir: string;
  cleanup(): Promise<void>;
} {
  const dir = tempDir();
  const clock = new ManualClock();
  // The metrics module's background loop stays off in tests (they drive time by hand).
  const core = createCore({ dataDir: dir.path, clock, metrics: { pollMs: 0 }, checkOutputs: true, ...options });
  return {
    core,
    clock,
    dataDir: options.dataDir ?? dir.path,
    async cleanup() {
      await core.close();
      dir.remove();
    },
  };
}

/**
 * A CoreContext on a real store in a temp dir, for testing one module without the whole core.
 * The audit log is real too, so tests can check what was recorded.
 */
export function testContext<C extends Clock = ManualClock>(
  options: { clock?: C } = {},
): {
  ctx: CoreContext;
  audit: AuditLog;
  bus: EventBus;
  clock: C;
  cleanup(): void;
} {
  const dir = tempDir();
  const clock = options.clock ?? (new ManualClock() as unknown as C);
  const bus = new EventBus();
  const store = openStore({ dataDir: dir.path, bus, migrations, now: () => clock.now() });
  const ctx: CoreContext = { store, clock, logger: silentLogger, dataDir: dir.path, operator: () => 'tester' };
  return {
    ctx,
    audit: createAuditLog(store, () => clock.now()),
    bus,
    clock,
    cleanup() {
      store.close();
      dir.remove();
    },
  };
}
