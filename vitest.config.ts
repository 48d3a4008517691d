import { defineConfig } from 'vitest/config';

// Three projects: `unit` (core, contract, transports: plain Node, real SQLite in temp dirs) and
// `e2e` (the built console in Debian's Chromium, one file at a time), and `bench`.
// Every core a test builds, in process or as a spawned host (children inherit the environment),
// parses each reply against its channel's declared output (CoreOptions.checkOutputs).
const env = { FLIGHTDECK_CHECK_OUTPUTS: '1' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
          env,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          env,
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
          env,
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        // `npm run bench`: measurements printed as tables, never asserted as time limits.
        test: {
          name: 'bench',
          include: ['tests/bench/**/*.bench.ts'],
          environment: 'node',
          env,
          fileParallelism: false,
          testTimeout: 1_800_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
