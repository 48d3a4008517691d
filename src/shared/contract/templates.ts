import { z } from 'zod';
import { call } from './define';
import { preflightReportSchema } from './drafts';

/**
 * Starter templates: kits that install an n8n workflow, the mapping that routes an event to it
 * and (some kits) a schedule that emits the event, into one instance in one operation.
 */

/** What kind of value a template field takes; the core validates each kind with its own rule. */
export const TEMPLATE_FIELD_KINDS = ['event', 'webhookPath', 'url', 'cron', 'timeZone', 'text'] as const;
export const templateFieldKindSchema = z.enum(TEMPLATE_FIELD_KINDS);
export type TemplateFieldKind = z.infer<typeof templateFieldKindSchema>;

/** One value the operator gives when installing (an event name, a webhook path…). */
export const templateFieldSchema = z.object({
  key: z.string(),
  label: z.string(),
  kind: templateFieldKindSchema,
  /** Pre-filled value; the install uses it when the field is left out. */
  default: z.string(),
  /** One sentence under the input: what the value is for. */
  help: z.string(),
});
export type TemplateField = z.infer<typeof templateFieldSchema>;

/** A kit as the list shows it (the workflow's nodes by name and type, not its JSON). */
export const templateSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** What the kit creates, in words: "a mapping with an approval gate", "a schedule (cron)". */
  creates: z.array(z.string()),
  fields: z.array(templateFieldSchema),
  /** The workflow's nodes, in order. */
  nodes: z.array(z.object({ name: z.string(), type: z.string() })),
  /** Needs a community package on the instance (the Flightdeck node): its npm name. */
  needsPackage: z.string().nullable(),
  /** Whether the workflow is made live by default (the install's `activate`). */
  activateByDefault: z.boolean(),
});
export type TemplateSummary = z.infer<typeof templateSummarySchema>;

const valueSchema = z.string().max(2_000);

export const templateInstallInputSchema = z
  .object({
    templateId: z.string().min(1).max(100),
    instanceId: z.string().min(1).max(100),
    /** Field values by key; a field left out takes its default. Unknown keys are refused. */
    values: z.record(z.string().max(100), valueSchema).default({}),
    /** Make the workflow live (publish on n8n 2.x, activate on 1.x); default: the kit's choice. */
    activate: z.boolean().optional(),
    /** Check only (pre-flight): nothing is created, in n8n or here. */
    dryRun: z.boolean().default(false),
  })
  .strict();
export type TemplateInstallInput = z.input<typeof templateInstallInputSchema>;

export const templateInstallResultSchema = z.object({
  templateId: z.string(),
  instanceId: z.string(),
  dryRun: z.boolean(),
  /** Node types checked against the instance, and whether a workflow there already serves the path. */
  preflight: preflightReportSchema,
  /** Warnings that do not stop the install (community package not listed on 1.x, event already mapped…). */
  warnings: z.array(z.string()),
  /** What was created; null on a dry run. */
  installed: z
    .object({
      workflow: z.object({ id: z.string(), name: z.string(), active: z.boolean() }),
      mapping: z.object({ id: z.string(), name: z.string(), event: z.string(), webhookPath: z.string() }),
      schedule: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    })
    .nullable(),
  /** What the operator still has to do (choose a credential in n8n, make other workflows report failures…). */
  nextSteps: z.array(z.string()),
});
export type TemplateInstallResult = z.infer<typeof templateInstallResultSchema>;

export const templatesCalls = {
  /** Every starter kit, with the fields its install asks for. */
  'templates:list': call(z.object({}).strict(), z.object({ templates: z.array(templateSummarySchema) })),
  /**
   * Pre-flight, then (unless `dryRun`) the workflow in n8n, its mapping and schedule here, as one
   * operation: a step that fails removes what the earlier ones created. Refused (VALIDATION) when
   * the pre-flight finds a node type the instance lacks or a webhook path already served there.
   */
  'templates:install': call(templateInstallInputSchema, templateInstallResultSchema),
};

export const templatesEvents = {};
