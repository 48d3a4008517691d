import { defineConfig } from 'vitest/config';

// Every core a test builds, in process or as a spawned host (children inherit the environment),
// parses each reply against its channel's declared output (CoreOptions.checkOutputs).
const env = { FLIGHTDECK_CHECK_OUTPUTS: '1' };

// Waits are generous and the timeouts above them larger still, so a busy 2-core machine makes a
// test slower, never red: `expect.poll` waits 10 s by default (src/main/core/testing/wait.ts
// WAIT_TIMEOUT_MS likewise), and each project's test timeout exceeds the longest wait inside
// its tests (the n8n project: a restart of n8n, up to 120 s, plus a 240 s delivery wait).
const expect = { poll: { timeout: 10_000, interval: 100 } };

// Projects: `unit` (core, contract, transports: plain Node, real SQLite in temp dirs, the
// loopback fake n8n), `e2e` (the built console in Debian's Chromium, one file at a time), `n8n`
// (live, against a real n8n), `fuzz` (hostile input) and `bench`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // The n8n node package's pure parts (signing, body building) are unit-tested here too.
          include: ['src/**/*.test.ts', 'n8n-nodes-flightdeck/shared/**/*.test.ts'],
          environment: 'node',
          env,
          expect,
          // Above every wait inside (10 s each, several in a row) and the passphrase KDF of the
          // backup tests, which takes tens of seconds on a 2-core machine under load.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          env,
          expect,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        // `npm run test:n8n`: live tests against a real n8n on loopback (tests/n8n/harness.ts).
        test: {
          name: 'n8n',
          include: ['tests/n8n/**/*.test.ts'],
          // One n8n per line shared by the files that opt in (sharedN8n() in tests/n8n/harness.ts);
          // started on first use, wiped for each file, stopped at the end.
          globalSetup: ['tests/n8n/shared-n8n-setup.ts'],
          environment: 'node',
          env,
          expect,
          fileParallelism: false,
          testTimeout: 600_000,
          // The first start installs n8n (up to 15 min on a cold cache, tests/n8n/harness.ts).
          hookTimeout: 1_200_000,
        },
      },
      {
        // `npm run test:fuzz`: hostile input, seeded (FLIGHTDECK_FUZZ_SEED): every contract channel
        // through a real core, and the built host's HTTP, WebSocket and ingest doors.
        test: {
          name: 'fuzz',
          include: ['tests/fuzz/**/*.test.ts'],
          environment: 'node',
          env,
          expect,
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // `npm run bench`: measurements printed as tables, never asserted as time limits.
        test: {
          name: 'bench',
          include: ['tests/bench/**/*.bench.ts'],
          environment: 'node',
          // No output checks here: they would be part of what is measured.
          expect,
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 1_200_000,
        },
      },
    ],
  },
});
