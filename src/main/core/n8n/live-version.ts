import type { N8nWorkflow, N8nWorkflowVersion } from './schemas';

/**
 * The version of a workflow that n8n runs: its webhooks, its triggers. On 2.x that is
 * `activeVersion` (the published one), which can differ from the saved draft the public GET
 * returns at top level; 1.123 also reports `activeVersion`, always equal to the saved one. A
 * workflow that is active without an `activeVersion` (older 1.x) runs its saved version.
 * Null when nothing is live.
 */
export function liveVersionOf(
  w: Pick<N8nWorkflow, 'active' | 'versionId' | 'nodes' | 'connections' | 'activeVersion'>,
): N8nWorkflowVersion | null {
  if (w.activeVersion) return w.activeVersion;
  if (!w.active) return null;
  return { versionId: w.versionId ?? '', nodes: w.nodes, connections: w.connections ?? {} };
}

/**
 * True when n8n holds a saved draft that is not what runs: edited in n8n's editor and saved
 * without publishing (2.x). Compared by versionId, which n8n renews on every node or connection
 * change; a rename alone does not change what runs.
 */
export function draftDiffers(w: Parameters<typeof liveVersionOf>[0]): boolean {
  const live = liveVersionOf(w);
  return live !== null && Boolean(w.versionId) && live.versionId !== w.versionId;
}
