import { z } from 'zod';
import { call } from './define';

/** A dotted path into a JSON payload: `order.items.0.sku`. */
export const payloadPathSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'Use a dotted path such as order.total or items.0.sku')
  .refine((p) => !p.split('.').some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype'), {
    message: 'Path segments __proto__, constructor and prototype are not allowed',
  });

/** The operator's own event name: `order.created`, `report:daily`… */
export const eventNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
    'Event names use letters, digits and . _ : - (starting with a letter or digit)',
  );

export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists', 'missing'] as const;

/** One test on the payload; a mapping fires only when all of its conditions hold. */
export const conditionSchema = z
  .object({
    path: payloadPathSchema,
    op: z.enum(CONDITION_OPS),
    /** Compared as JSON (numbers compare numerically for gt/gte/lt/lte). Not used by exists/missing. */
    value: z.unknown().optional(),
  })
  .strict()
  .refine((c) => c.op === 'exists' || c.op === 'missing' || c.value !== undefined, {
    message: 'This operator needs a value',
    path: ['value'],
  })
  .refine((c) => c.op !== 'in' || Array.isArray(c.value), { message: '"in" needs a list of values', path: ['value'] });
export type Condition = z.infer<typeof conditionSchema>;

/**
 * How the event payload becomes the webhook body, without eval: `passthrough` sends it as is;
 * `pick` builds a new object from field picks (with renames) and constants.
 */
export const transformSchema = z
  .object({
    mode: z.enum(['passthrough', 'pick']).default('passthrough'),
    /** Copy `from` (in the event) to `to` (in the body); `to` defaults to `from`. */
    fields: z
      .array(z.object({ from: payloadPathSchema, to: payloadPathSchema.optional() }).strict())
      .max(100)
      .default([]),
    /** Fixed values set in the body after the picks (in both modes). */
    constants: z
      .array(z.object({ to: payloadPathSchema, value: z.unknown() }).strict())
      .max(100)
      .default([]),
  })
  .strict();
export type Transform = z.infer<typeof transformSchema>;

/** Retries: attempts include the first try. Backoff delay before try n+1 (ms). */
export const retryPolicySchema = z
  .object({
    attempts: z.number().int().min(1).max(25).default(5),
    backoff: z.enum(['fixed', 'exponential']).default('exponential'),
    /** Base delay in ms (fixed delay, or the first exponential step). */
    delayMs: z.number().int().min(0).max(86_400_000).default(2_000),
    /** Cap for exponential growth, ms. */
    maxDelayMs: z.number().int().min(0).max(86_400_000).default(300_000),
    /** Random spread as a fraction of the delay (0 = none, 0.2 = ±20 %). */
    jitter: z.number().min(0).max(1).default(0.2),
    /**
     * Run the workflow again, within `attempts`, when it ran in n8n and failed (n8n's 500). Off by
     * default: a re-run repeats whatever the workflow did before the error. Either way the
     * operator can Retry a failed run.
     */
    rerunFailedWorkflow: z.boolean().default(false),
  })
  .strict();
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

/**
 * Four eyes, applied in team mode (one operator cannot be two people): how many different people
 * must approve a run, and whether whoever asked for the run (emitted or retried it) may be one of
 * them. Auto-approval rules do not approve runs that need more than one approver.
 */
export const approvalPolicySchema = z
  .object({
    /** Different people who must approve; one reject rejects. */
    approvers: z.number().int().min(1).max(5).default(1),
    /** False: the requester of a run cannot approve it (they may still reject it). */
    requesterMayApprove: z.boolean().default(true),
  })
  .strict();
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>;

/** What a mapping's editor sends: everything but identity and timestamps. */
export const mappingInputSchema = z
  .object({
    event: eventNameSchema,
    /** Label shown in lists; defaults to the event name. */
    name: z.string().trim().max(100).default(''),
    instanceId: z.string().min(1).max(100),
    /** n8n workflow id, when known (for linking runs and metrics). */
    workflowId: z.string().max(100).nullable().default(null),
    /** Path of the workflow's Webhook node: POST <instance>/webhook/<webhookPath>. */
    webhookPath: z
      .string()
      .min(1)
      .max(300)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._~\-/:]*$/, 'Use the Webhook node path, e.g. orders/new (no leading slash)'),
    active: z.boolean().default(true),
    /** 0 (first) to 9 (last); within a priority, first in first out. */
    priority: z.number().int().min(0).max(9).default(5),
    /** Per-attempt HTTP timeout, ms. */
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
    retry: retryPolicySchema.default(retryPolicySchema.parse({})),
    /** Runs of this mapping in flight at once (null: only the instance's limit applies). */
    concurrency: z.number().int().min(1).max(1_000).nullable().default(null),
    /** At most `max` dispatches per `perMs` (null: unlimited). */
    rateLimit: z
      .object({ max: z.number().int().min(1).max(100_000), perMs: z.number().int().min(100).max(86_400_000) })
      .strict()
      .nullable()
      .default(null),
    /** Runs wait in the approval inbox until a person (or a rule) decides. */
    requiresApproval: z.boolean().default(false),
    /** What happens to an undecided approval after `afterMs`. */
    approvalExpiry: z
      .object({
        afterMs: z
          .number()
          .int()
          .min(60_000)
          .max(90 * 86_400_000),
        action: z.enum(['reject', 'approve']),
      })
      .strict()
      .nullable()
      .default(null),
    conditions: z.array(conditionSchema).max(50).default([]),
    transform: transformSchema.default(transformSchema.parse({})),
    /**
     * The inbox title of a gated run, over payload fields: `Refund {{refundId}} · {{amount}}
     * {{currency}}` (dotted paths; a missing field reads as `?`). Empty: `<event> → <mapping name>`.
     */
    approvalTitle: z.string().trim().max(200).default(''),
    /** Shown to the approver above the payload: what to check before deciding. */
    approverNote: z.string().trim().max(2_000).default(''),
    /** Team mode: who must approve each run of a mapping that requires approval (four eyes). */
    approvalPolicy: approvalPolicySchema.default(approvalPolicySchema.parse({})),
  })
  .strict();
export type MappingInput = z.input<typeof mappingInputSchema>;
export type MappingFields = z.output<typeof mappingInputSchema>;

export const mappingSchema = mappingInputSchema.extend({
  id: z.string(),
  createdAtMs: z.number().int(),
  updatedAtMs: z.number().int(),
});
export type Mapping = z.infer<typeof mappingSchema>;

/**
 * The exact HTTP request a dispatch makes (secrets never included): built by the same function
 * as the dispatcher's call. In a preview made before any run exists, the execution-id header holds
 * a placeholder; a run's own request holds its id.
 */
export const requestPreviewSchema = z.object({
  method: z.literal('POST'),
  url: z.string(),
  /** Every header Flightdeck sets; the HTTP client adds only Host and Content-Length. */
  headers: z.record(z.string(), z.string()),
  body: z.unknown(),
  /** The body exactly as sent (runs queued before this field existed lack it). */
  bodyText: z.string().optional(),
});
export type RequestPreview = z.infer<typeof requestPreviewSchema>;

export const mappingPreviewSchema = z.object({
  /** Whether the sample payload passes the conditions. */
  matches: z.boolean(),
  /** One line per condition: `amount gt 100: 42 — no`. */
  conditionResults: z.array(z.object({ condition: z.string(), passed: z.boolean() })),
  request: requestPreviewSchema,
});

/** The file format of exported mappings (import accepts the same). */
export const mappingsDocumentSchema = z
  .object({
    kind: z.literal('flightdeck.mappings'),
    version: z.literal(1),
    exportedAtMs: z.number().int(),
    mappings: z.array(mappingInputSchema.extend({ id: z.string().min(1).max(100).optional() })).max(10_000),
  })
  .strict();
export type MappingsDocument = z.output<typeof mappingsDocumentSchema>;

/**
 * Whether a webhook path is served on an instance, from its synced workflows: `served` by a live
 * workflow (the chosen one, when one is chosen); `other-workflow`: served live, but by another
 * workflow than the chosen one; `inactive`: only an inactive workflow has it (n8n answers 404 until
 * it is activated); `unknown`: no synced workflow has it (every run would be dead-lettered with a
 * 404); `unsynced`: the instance's workflows are not known yet, so nothing can be said.
 */
export const ROUTE_VERDICTS = ['served', 'other-workflow', 'inactive', 'unknown', 'unsynced'] as const;
export type RouteVerdict = (typeof ROUTE_VERDICTS)[number];

export const routeCheckSchema = z.object({
  verdict: z.enum(ROUTE_VERDICTS),
  /** One or two sentences for the operator (names, never ids). */
  message: z.string(),
  /** The synced workflows of the instance that have this path. */
  servedBy: z.array(z.object({ workflowId: z.string(), name: z.string(), active: z.boolean() })),
  /** Live paths of the instance close to the one typed (a likely typo), nearest first, at most 5. */
  suggestions: z.array(z.object({ path: z.string(), workflowId: z.string(), workflowName: z.string() })),
});
export type RouteCheck = z.infer<typeof routeCheckSchema>;

const idArg = z.object({ id: z.string().min(1).max(100) }).strict();

export const mappingsCalls = {
  'mappings:list': call(z.object({}).strict(), z.array(mappingSchema)),
  'mappings:get': call(idArg, mappingSchema),
  'mappings:create': call(z.object({ mapping: mappingInputSchema }).strict(), mappingSchema),
  'mappings:update': call(
    z.object({ id: z.string().min(1).max(100), mapping: mappingInputSchema }).strict(),
    mappingSchema,
  ),
  'mappings:remove': call(idArg, z.object({ removed: z.boolean() })),
  /** Before saving: does a live workflow of the instance serve this webhook path? Sends nothing. */
  'mappings:checkRoute': call(
    z
      .object({
        instanceId: z.string().min(1).max(100),
        webhookPath: z.string().min(1).max(300),
        workflowId: z.string().max(100).nullable().default(null),
      })
      .strict(),
    routeCheckSchema,
  ),
  /** Checks a sample payload against a saved mapping or an unsaved draft; sends nothing. */
  'mappings:preview': call(
    z.object({ mapping: mappingInputSchema, payload: z.unknown() }).strict(),
    mappingPreviewSchema,
  ),
  'mappings:export': call(
    z.object({ ids: z.array(z.string()).max(10_000).optional() }).strict(),
    mappingsDocumentSchema,
  ),
  /** Validates first; with dryRun nothing is written. Existing ids are updated, others added. */
  'mappings:import': call(
    z.object({ document: z.unknown(), dryRun: z.boolean().default(true) }).strict(),
    z.object({ added: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), dryRun: z.boolean() }),
  ),
};

export const mappingsEvents = {
  /** The set of mappings changed (create, update, remove, import). */
  'mappings:changed': z.object({ ids: z.array(z.string()) }),
};
