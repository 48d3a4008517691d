/**
 * The port between drafts/backups and n8n. The integrator implements it over the undici client
 * of the instances area; tests use an in-memory fake. Implementations return plain objects and
 * throw AppError with N8N_* codes (N8N_UNREACHABLE for a down instance, N8N_NOT_FOUND for a
 * missing workflow, N8N_UNAUTHORIZED…). This layer re-validates every answer with the schemas
 * below, so a wrong shape becomes N8N_BAD_RESPONSE instead of bad data in the store.
 */
import { z } from 'zod';
import { connectionsSchema, workflowNodeSchema, type WorkflowDefinition } from '../../../shared/contract/drafts';
import { AppError } from '../../../shared/result';
import { describeIssues } from '../invoke';

export const remoteTagSchema = z.object({ id: z.string(), name: z.string() });
export type RemoteTag = z.infer<typeof remoteTagSchema>;

export const remoteVariableSchema = z.object({ key: z.string(), value: z.string() });
export type RemoteVariable = z.infer<typeof remoteVariableSchema>;

/** A workflow as n8n's public API returns it (updatedAt converted to epoch ms). */
export const remoteWorkflowSchema = z.object({
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  /** Changes on every save in n8n; the draft conflict check compares it. */
  versionId: z.string().nullable(),
  /** n8n's updatedAt, epoch ms. */
  updatedAtMs: z.number().int(),
  nodes: z.array(workflowNodeSchema),
  connections: connectionsSchema,
  settings: z.record(z.string(), z.unknown()).nullable(),
  tags: z.array(remoteTagSchema),
});
export type RemoteWorkflow = z.infer<typeof remoteWorkflowSchema>;

/**
 * The body of a create or update: only writable fields. n8n 1.123 rejects id, active, tags,
 * pinData, versionId, meta and description, so none of them is ever in it.
 */
export interface WorkflowBody {
  name: string;
  nodes: WorkflowDefinition['nodes'];
  connections: WorkflowDefinition['connections'];
  settings: Record<string, unknown>;
}

export interface InstanceRef {
  id: string;
  name: string;
}

export interface N8nWorkflowsPort {
  /** Configured instances (no secrets). */
  listInstances(): Promise<InstanceRef[]> | InstanceRef[];
  /** A cheap check (e.g. GET /healthz or the last known health); never throws. */
  isReachable(instanceId: string): Promise<boolean>;
  /** Every workflow with nodes and connections, all pages followed. */
  listWorkflows(instanceId: string): Promise<RemoteWorkflow[]>;
  getWorkflow(instanceId: string, workflowId: string): Promise<RemoteWorkflow>;
  createWorkflow(instanceId: string, body: WorkflowBody): Promise<RemoteWorkflow>;
  /** PUT /workflows/{id}; n8n answers with a new versionId. */
  updateWorkflow(instanceId: string, workflowId: string, body: WorkflowBody): Promise<RemoteWorkflow>;
  /** PUT /workflows/{id}/tags with tag ids. */
  setWorkflowTags(instanceId: string, workflowId: string, tagIds: string[]): Promise<void>;
  listTags(instanceId: string): Promise<RemoteTag[]>;
  createTag(instanceId: string, name: string): Promise<RemoteTag>;
  /** Variables need an n8n licence; an unlicensed instance may throw N8N_FORBIDDEN. */
  listVariables(instanceId: string): Promise<RemoteVariable[]>;
  createVariable(instanceId: string, variable: RemoteVariable): Promise<void>;
}

/** Validates one answer of the port; a wrong shape is n8n's (or the adapter's) fault. */
export function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('N8N_BAD_RESPONSE', `${describeIssues(what, parsed.error)}. Check the instance's n8n version.`);
  }
  return parsed.data;
}

/** Strips everything n8n refuses on create/update. */
export function toWorkflowBody(workflow: WorkflowDefinition): WorkflowBody {
  return {
    name: workflow.name,
    nodes: workflow.nodes,
    connections: workflow.connections,
    settings: workflow.settings,
  };
}

/** The writable definition of a remote workflow. */
export function definitionOf(remote: RemoteWorkflow): WorkflowDefinition {
  return { name: remote.name, nodes: remote.nodes, connections: remote.connections, settings: remote.settings ?? {} };
}
