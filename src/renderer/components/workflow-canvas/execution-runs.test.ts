import { describe, expect, it } from 'vitest';
import { runsByNode } from './execution-runs';

describe('an execution on the canvas', () => {
  it('sums items over a node’s runs and marks it failed when any run failed', () => {
    const run = (node: string, run: number, items: number, error: string | null = null) => ({
      node,
      run,
      items,
      error,
      startedAtMs: null,
      durationMs: null,
    });
    expect(
      runsByNode([run('Webhook', 0, 1), run('Loop', 0, 2), run('Loop', 1, 3), run('Call API', 0, 0, 'timeout')]),
    ).toEqual({
      Webhook: { status: 'success', items: 1, runs: 1, error: null },
      Loop: { status: 'success', items: 5, runs: 2, error: null },
      'Call API': { status: 'error', items: 0, runs: 1, error: 'timeout' },
    });
  });
});
