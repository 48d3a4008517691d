import type { NodeRun } from '../../../shared/contract';

/** What one node did in an execution (the read-only execution canvas). */
export interface CanvasRun {
  status: 'success' | 'error';
  /** Items on its main outputs, over all its runs. */
  items: number;
  /** How many times it ran (loops run a node more than once). */
  runs: number;
  error: string | null;
}

/** n8n's per-node run data as the canvas marks it: failed if any run failed, items summed over runs. */
export function runsByNode(nodes: readonly NodeRun[]): Record<string, CanvasRun> {
  const runs: Record<string, CanvasRun> = {};
  for (const n of nodes) {
    const seen = runs[n.node] ?? { status: 'success', items: 0, runs: 0, error: null };
    seen.items += n.items;
    seen.runs += 1;
    if (n.error !== null) {
      seen.status = 'error';
      seen.error ??= n.error;
    }
    runs[n.node] = seen;
  }
  return runs;
}
