import { z } from 'zod';
import { call } from './define';
import { preflightProblemSchema, workflowDiffSchema, workflowVersionKindSchema } from './drafts';

const instanceIdArg = z.string().min(1).max(100);

/** A credential as n8n lists it: never its secrets. */
export const promotionCredentialSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** Null where n8n did not say (1.x: a credential no workflow uses, found by the security audit). */
  type: z.string().nullable(),
});
export type PromotionCredential = z.infer<typeof promotionCredentialSchema>;

/**
 * How an instance's credentials were read: `api` (GET /credentials, n8n 2.x) or, on 1.x where the
 * public API lists none, `workflows+audit` (those its workflows use, with their types, plus the
 * security audit's list of every credential by name).
 */
export const credentialsSourceSchema = z.enum(['api', 'workflows+audit', 'workflows']);

/** One credential a node uses, and the target's credential it is re-pointed to. */
export const credentialMappingSchema = z.object({
  node: z.string(),
  /** The credential type (the key in the node's `credentials`). */
  type: z.string(),
  name: z.string(),
  sourceId: z.string().nullable(),
  /** The target's credential of the same name and type; null when missing or ambiguous. */
  targetId: z.string().nullable(),
  /**
   * `mapped`; `unverified`: same name, but the target does not tell its type (1.x); `missing`;
   * `ambiguous`: several of that name and type on the target.
   */
  status: z.enum(['mapped', 'unverified', 'missing', 'ambiguous']),
});
export type CredentialMapping = z.infer<typeof credentialMappingSchema>;

/** A Webhook node whose method and path another workflow on the target already serves. */
export const webhookCollisionSchema = z.object({
  node: z.string(),
  method: z.string(),
  path: z.string(),
  /** The other workflow (on the target, or another one of this promotion). */
  otherWorkflowId: z.string().nullable(),
  otherWorkflowName: z.string(),
});

/**
 * A per-instance variable: a value that differs between instances (a base URL, a channel) kept
 * by the console. Not a secret: shown in plans and audit entries.
 */
export const VARIABLE_NAME_PATTERN = /^[A-Z][A-Z0-9_]{0,63}$/;
export const VARIABLE_VALUE_MAX = 2000;
/** At most this many variables per instance. */
export const VARIABLES_MAX = 200;
export const variableSchema = z
  .object({
    name: z
      .string()
      .regex(VARIABLE_NAME_PATTERN, 'A variable name is A–Z, 0–9 and _, starts with a letter, at most 64 characters.'),
    value: z
      .string()
      .min(1, 'A variable needs a value.')
      .max(VARIABLE_VALUE_MAX, `A variable value is at most ${VARIABLE_VALUE_MAX} characters.`),
  })
  .strict();
export type Variable = z.infer<typeof variableSchema>;
export const instanceVariablesSchema = z.object({
  instanceId: z.string(),
  /** Sorted by name. */
  variables: z.array(variableSchema),
});
export type InstanceVariables = z.infer<typeof instanceVariablesSchema>;

/** One variable rewritten in a promoted workflow: the source's value replaced by the target's. */
export const variableRewriteSchema = z.object({
  name: z.string(),
  from: z.string(),
  to: z.string(),
  /** Nodes whose string parameters held the source's value. */
  nodes: z.array(z.string()),
  /** How many times it was replaced. */
  count: z.number().int(),
});
export type VariableRewrite = z.infer<typeof variableRewriteSchema>;

/** What a promotion would do to one workflow. */
export const promotionPlanItemSchema = z.object({
  sourceWorkflowId: z.string(),
  name: z.string(),
  /** `new`: created on the target; `changed`: updated there; `unchanged`: nothing to write. */
  status: z.enum(['new', 'changed', 'unchanged']),
  targetWorkflowId: z.string().nullable(),
  /** The target's updatedAt when planned (pass it back to promote: it refuses if the target moved). */
  targetUpdatedAtMs: z.number().int().nullable(),
  sourceActive: z.boolean(),
  targetActive: z.boolean().nullable(),
  /** Promoted (credentials re-pointed) against the target's saved version; null for a new one. */
  diff: workflowDiffSchema.nullable(),
  credentials: z.array(credentialMappingSchema),
  /** The source's variable values found in string parameters, rewritten to the target's. */
  variables: z.array(variableRewriteSchema),
  webhookCollisions: z.array(webhookCollisionSchema),
  /** The node-type pre-flight's findings against the target. */
  problems: z.array(preflightProblemSchema),
  /** Why it cannot be promoted (empty: it can). */
  refusals: z.array(z.string()),
  promotable: z.boolean(),
});
export type PromotionPlanItem = z.infer<typeof promotionPlanItemSchema>;

/** A dry run: nothing is written anywhere. */
export const promotionPlanSchema = z.object({
  sourceInstanceId: z.string(),
  targetInstanceId: z.string(),
  version: workflowVersionKindSchema,
  items: z.array(promotionPlanItemSchema),
  /** Workflows on the target that none of the source's workflows matches by name (left alone). */
  targetOnly: z.array(z.object({ workflowId: z.string(), name: z.string(), active: z.boolean() })),
  sourceCredentials: z.array(promotionCredentialSchema),
  targetCredentials: z.array(promotionCredentialSchema),
  credentialsSource: z.object({ source: credentialsSourceSchema, target: credentialsSourceSchema }),
  /** Sentences about the plan itself (how credentials were read, the target's version). */
  notes: z.array(z.string()),
  /** Every item is promotable. */
  ok: z.boolean(),
});
export type PromotionPlan = z.infer<typeof promotionPlanSchema>;

/**
 * What happens to live state on the target: `keep` (an updated workflow stays live or stopped as
 * it was, a live one runs the new version; a new one is created inactive), `active` (every
 * promoted workflow is made live: activate on 1.x, publish on 2.x), `inactive` (stopped).
 */
export const promotionActivationSchema = z.enum(['keep', 'active', 'inactive']);
export type PromotionActivation = z.infer<typeof promotionActivationSchema>;

/** One workflow of a promotion, as recorded. */
export const promotionItemSchema = z.object({
  sourceWorkflowId: z.string(),
  name: z.string(),
  /**
   * `created`, `updated`, `unchanged` (nothing written but the live state), `failed` (nothing
   * written). A write followed by a failed step, or whose answer never came, is `created` or
   * `updated` with `error` saying so, and is rolled back like any other.
   */
  action: z.enum(['created', 'updated', 'unchanged', 'failed']),
  /** Null for a creation whose answer never came (a rollback looks it up by name). */
  targetWorkflowId: z.string().nullable(),
  /** Whether the target workflow was live before (null: it did not exist). */
  activeBefore: z.boolean().nullable(),
  activeAfter: z.boolean().nullable(),
  /** What went wrong (a failed write, a step after the write, or an activation n8n refused). */
  error: z.string().nullable(),
  /** After a rollback: `restored`, `deleted`, `skipped` (nothing was written), or what failed. */
  rollback: z.string().nullable(),
});
export type PromotionItem = z.infer<typeof promotionItemSchema>;

export const promotionSchema = z.object({
  id: z.number().int(),
  actor: z.string(),
  createdAtMs: z.number().int(),
  sourceInstanceId: z.string(),
  targetInstanceId: z.string(),
  version: workflowVersionKindSchema,
  activation: promotionActivationSchema,
  /** `done`; `partial` (some workflow failed); `failed` (none written); `rolled-back`. */
  status: z.enum(['running', 'done', 'partial', 'failed', 'rolled-back']),
  items: z.array(promotionItemSchema),
  rolledBackAtMs: z.number().int().nullable(),
  rolledBackBy: z.string().nullable(),
});
export type Promotion = z.infer<typeof promotionSchema>;

/** Why a rollback was refused: the target changed since the promotion. */
export const rollbackConflictSchema = z.object({
  workflows: z.array(
    z.object({ targetWorkflowId: z.string(), name: z.string(), reason: z.enum(['changed', 'deleted']) }),
  ),
});

const selectionSchema = z
  .object({
    sourceInstanceId: instanceIdArg,
    targetInstanceId: instanceIdArg,
    workflowIds: z.array(z.string().min(1).max(100)).min(1).max(500),
    /** Which version of each source workflow: its saved draft (default) or the published one. */
    version: workflowVersionKindSchema.default('draft'),
  })
  .strict();

export const promotionsCalls = {
  /**
   * Dry run: per selected source workflow, new / changed / unchanged on the target with the diff,
   * its credentials mapped by name and type to the target's, webhook paths checked for collisions
   * and node types pre-flighted. Nothing is written.
   */
  'promotions:plan': call(selectionSchema, promotionPlanSchema),
  /**
   * Promotes as one operation: refused (nothing written) when any selected workflow is not
   * promotable, or when the target moved since the plan (`expected`: source workflow id → the
   * target's updatedAt in the plan, null for "absent"). The record keeps each target workflow's
   * previous definition for the rollback.
   */
  'promotions:promote': call(
    selectionSchema
      .extend({
        activation: promotionActivationSchema,
        expected: z.record(z.string().max(100), z.number().int().nullable()).optional(),
      })
      .strict(),
    promotionSchema,
  ),
  /** Recent promotions, newest first. */
  'promotions:list': call(z.object({}).strict(), z.array(promotionSchema)),
  'promotions:get': call(z.object({ id: z.number().int().min(1) }).strict(), promotionSchema),
  /**
   * Puts back what the target had before: updated workflows restored (definition and live state),
   * created ones deleted. Refused with CONFLICT (details: the workflows that moved) when the
   * target changed since the promotion, unless `force`.
   */
  'promotions:rollback': call(
    z.object({ id: z.number().int().min(1), force: z.boolean().default(false) }).strict(),
    promotionSchema,
  ),
  /** The variables of one instance. */
  'promotions:variables': call(z.object({ instanceId: instanceIdArg }).strict(), instanceVariablesSchema),
  /**
   * Replaces the variables of one instance (the whole set; names unique). A bad name or value is
   * refused and nothing changes.
   */
  'promotions:setVariables': call(
    z
      .object({ instanceId: instanceIdArg, variables: z.array(variableSchema).max(VARIABLES_MAX) })
      .strict()
      .superRefine((v, ctx) => {
        const seen = new Set<string>();
        for (const [i, { name }] of v.variables.entries()) {
          if (seen.has(name))
            ctx.addIssue({ code: 'custom', path: ['variables', i, 'name'], message: `${name} is listed twice.` });
          seen.add(name);
        }
      }),
    instanceVariablesSchema,
  ),
};

export const promotionsEvents = {
  /** A promotion was recorded, finished or rolled back. */
  'promotions:changed': z.object({ id: z.number().int() }),
  /** An instance's variables were replaced (or restored from a backup: instanceId null). */
  'promotions:variablesChanged': z.object({ instanceId: z.string().nullable() }),
};
