import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from './clock';
import { createCore, type Core, type CoreOptions } from './create-core';

/** A fresh data directory per test, removed afterwards. */
export function tempDir(prefix = 'flightdeck-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A core on a real SQLite file in a temp dir, with a manual clock. */
export function testCore(options: Partial<CoreOptions> = {}): {
  core: Core;
  clock: ManualClock;
  dataDir: string;
  cleanup(): Promise<void>;
} {
  const dir = tempDir();
  const clock = new ManualClock();
  // The metrics module's background loop stays off in tests (they drive time by hand).
  const core = createCore({ dataDir: dir.path, clock, metrics: { pollMs: 0 }, ...options });
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
