import { z } from 'zod';
import { call } from './define';
import { executionStatusSchema } from './executions-model';
import { executionSummarySchema } from './executions';

/** A workflow as last synced from its n8n instance, with local execution counts. */
export const workflowSchema = z.object({
  instanceId: z.string(),
  /** n8n's workflow id (unique within its instance only). */
  id: z.string(),
  name: z.string(),
  active: z.boolean(),
  tags: z.array(z.string()),
  nodeCount: z.number().int(),
  /** Paths of its Webhook nodes: it runs on POST <baseUrl>/webhook/<path>. */
  webhookPaths: z.array(z.string()),
  versionId: z.string().nullable(),
  /** n8n's updatedAt (epoch ms). */
  updatedAtMs: z.number().int().nullable(),
  syncedAtMs: z.number().int(),
  /** Synced executions of this workflow held locally. */
  executionCount: z.number().int(),
  lastStatus: executionStatusSchema.nullable(),
  lastExecutionAtMs: z.number().int().nullable(),
});
export type Workflow = z.infer<typeof workflowSchema>;

export const workflowNodeSummarySchema = z.object({ name: z.string(), type: z.string(), disabled: z.boolean() });
export type WorkflowNodeSummary = z.infer<typeof workflowNodeSummarySchema>;

const ref = { instanceId: z.string().min(1).max(100), workflowId: z.string().min(1).max(100) };

export const workflowsCalls = {
  /** Workflows across all instances, filtered here so the UI stays fast with thousands. */
  'workflows:list': call(
    z
      .object({
        instanceId: z.string().max(100).optional(),
        /** Case-insensitive substring of the name. */
        search: z.string().max(200).optional(),
        active: z.boolean().optional(),
        tag: z.string().max(100).optional(),
        limit: z.number().int().min(1).max(5000).default(2000),
      })
      .strict(),
    z.object({ workflows: z.array(workflowSchema), total: z.number().int() }),
  ),
  'workflows:get': call(
    z.object(ref).strict(),
    z.object({
      workflow: workflowSchema,
      nodes: z.array(workflowNodeSummarySchema),
      recentExecutions: z.array(executionSummarySchema),
    }),
  ),
  /** Activates or deactivates the workflow in n8n, then stores n8n's answer. */
  'workflows:setActive': call(
    z.object({ ...ref, active: z.boolean(), reason: z.string().max(500).optional() }).strict(),
    workflowSchema,
  ),
};

export const workflowsEvents = {
  /** The synced workflows of an instance changed (a sync pass or an activation). */
  'workflows:changed': z.object({ instanceId: z.string() }),
};
