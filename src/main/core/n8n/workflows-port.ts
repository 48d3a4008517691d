import type { InstanceRef, N8nWorkflowsPort, RemoteWorkflow } from '../drafts/n8n-port';
import type { InstancesService } from '../instances/instances-service';
import type { Clients } from './clients';
import { liveVersionOf } from './live-version';
import type { N8nWorkflow } from './schemas';

/**
 * n8n's workflow as drafts and backups see it: the saved draft at top level, the version n8n
 * runs as `published`. Their own schemas re-validate the shape.
 */
export const toRemote = (w: N8nWorkflow): RemoteWorkflow => {
  const live = liveVersionOf(w);
  return {
    id: w.id,
    name: w.name,
    active: w.active,
    versionId: w.versionId ?? null,
    updatedAtMs: w.updatedAt ?? 0,
    nodes: w.nodes,
    connections: w.connections ?? {},
    settings: w.settings ?? null,
    tags: (w.tags ?? []).map((t) => ({ id: t.id, name: t.name })),
    versionCounter: w.versionCounter ?? null,
    published: live ? { versionId: live.versionId, nodes: live.nodes, connections: live.connections ?? {} } : null,
    archived: w.isArchived ?? false,
  } as RemoteWorkflow;
};

/** Pages through a cursor-paged list. */
async function all<T>(page: (cursor?: string) => Promise<{ data: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.data);
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/** The drafts/backups port over the instances' undici clients. */
export function clientWorkflowsPort(instances: InstancesService, clients: Clients): N8nWorkflowsPort {
  const client = (id: string) => {
    const c = clients.forInstance(id);
    c.rememberVersion(instances.find(id)?.sync.n8nVersion);
    return c;
  };
  return {
    listInstances: (): InstanceRef[] => instances.list().map((i) => ({ id: i.id, name: i.name })),
    async isReachable(instanceId) {
      try {
        await client(instanceId).health();
        return true;
      } catch {
        return false;
      }
    },
    listWorkflows: async (id) => (await client(id).listAllWorkflows()).map(toRemote),
    getWorkflow: async (id, workflowId) => toRemote(await client(id).getWorkflow(workflowId)),
    createWorkflow: async (id, body) => toRemote(await client(id).createWorkflow({ ...body })),
    updateWorkflow: async (id, workflowId, body) => toRemote(await client(id).updateWorkflow(workflowId, { ...body })),
    setWorkflowTags: async (id, workflowId, tagIds) => void (await client(id).setWorkflowTags(workflowId, tagIds)),
    listTags: (id) => all((cursor) => client(id).listTags({ limit: 250, ...(cursor ? { cursor } : {}) })),
    createTag: (id, name) => client(id).createTag(name),
    listVariables: async (id) =>
      (await all((cursor) => client(id).listVariables({ limit: 250, ...(cursor ? { cursor } : {}) }))).map((v) => ({
        key: v.key,
        value: v.value,
      })),
    createVariable: (id, variable) => client(id).createVariable(variable),
    async targetInfo(id, needs) {
      if (!instances.find(id)) return { version: null, communityNodeTypes: null };
      const c = client(id);
      // The version the sync read; else ask n8n once (a proxy may hide it: then unknown).
      const version = c.knownVersion ?? (await c.version());
      return { version, communityNodeTypes: needs.communityNodeTypes ? await c.communityNodeTypes() : null };
    },
  };
}
