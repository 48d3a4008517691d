import type { TargetInfo, WorkflowBody } from '../drafts/n8n-port';
import type { InstancesService } from '../instances/instances-service';
import type { Clients } from '../n8n/clients';
import { liveVersionOf } from '../n8n/live-version';
import { webhookPaths } from '../n8n/remote-store';

/** A webhook path a workflow of the instance serves (or would serve once live). */
export interface ServedPath {
  path: string;
  workflowId: string;
  workflowName: string;
  /** Live now: n8n refuses to make a second workflow live on the same path. */
  live: boolean;
}

/**
 * What an install asks of n8n. Implementations throw AppError with N8N_* codes (as the client
 * does); the installer turns a failure into a rollback.
 */
export interface TemplatesN8nPort {
  /** The instance's name, null when there is no such instance. */
  instanceName(instanceId: string): string | null;
  targetInfo(instanceId: string, needs: { communityNodeTypes: boolean }): Promise<TargetInfo>;
  /** Webhook paths of every workflow on the instance (all pages), read from n8n now. */
  servedPaths(instanceId: string): Promise<ServedPath[]>;
  createWorkflow(instanceId: string, body: WorkflowBody): Promise<{ id: string; name: string }>;
  /** The workflow holding a node with this id (ids are fresh per install), or null. */
  findByNodeId(instanceId: string, nodeId: string): Promise<{ id: string; name: string } | null>;
  /** Publish (2.x) or activate (1.x). */
  makeLive(instanceId: string, workflowId: string): Promise<void>;
  /** Deletes a workflow, unpublishing it first where n8n 2.x asks for that. */
  deleteWorkflow(instanceId: string, workflowId: string): Promise<void>;
}

/** The port over the instances' undici clients. */
export function clientTemplatesPort(instances: InstancesService, clients: Clients): TemplatesN8nPort {
  const client = (id: string) => {
    const c = clients.forInstance(id);
    c.rememberVersion(instances.find(id)?.sync.n8nVersion);
    return c;
  };
  return {
    instanceName: (id) => instances.find(id)?.name ?? null,
    async targetInfo(id, needs) {
      const c = client(id);
      const version = c.knownVersion ?? (await c.version());
      return { version, communityNodeTypes: needs.communityNodeTypes ? await c.communityNodeTypes() : null };
    },
    async servedPaths(id) {
      const workflows = await client(id).listAllWorkflows();
      return workflows.flatMap((w) => {
        const live = liveVersionOf(w);
        const nodes = live?.nodes ?? w.nodes;
        return webhookPaths({ id: w.id, nodes }).map((path) => ({
          path,
          workflowId: w.id,
          workflowName: w.name,
          live: live !== null,
        }));
      });
    },
    async createWorkflow(id, body) {
      const created = await client(id).createWorkflow({ ...body });
      return { id: created.id, name: created.name };
    },
    async findByNodeId(id, nodeId) {
      const found = (await client(id).listAllWorkflows()).find((w) => w.nodes.some((n) => n.id === nodeId));
      return found ? { id: found.id, name: found.name } : null;
    },
    makeLive: async (id, workflowId) => void (await client(id).setWorkflowLive(workflowId, true)),
    deleteWorkflow: async (id, workflowId) =>
      void (await client(id).deleteWorkflow(workflowId, { unpublishFirst: true })),
  };
}
