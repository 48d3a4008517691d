import { defineConfig } from 'vitest/config';

// Projects: `unit` (core, contract, transports: plain Node, real SQLite in temp dirs), `e2e` (the
// built console in Debian's Chromium, one file at a time), `n8n` (live), `fuzz` (hostile input), `bench`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // The n8n node package's pure parts (signing, body building) are unit-tested here too.
          include: ['src/**/*.test.ts', 'n8n-nodes-flightdeck/shared/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // `npm run test:n8n`: live tests against a real n8n on loopback (tests/n8n/harness.ts).
        test: {
          name: 'n8n',
          include: ['tests/n8n/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        // `npm run test:fuzz`: hostile input, seeded (FLIGHTDECK_FUZZ_SEED): every contract channel
        // through a real core, and the built host's HTTP, WebSocket and ingest doors.
        test: {
          name: 'fuzz',
          include: ['tests/fuzz/**/*.test.ts'],
          environment: 'node',
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
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
