import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { workflowDefinitionSchema, type WorkflowDefinition } from '../../../shared/contract/drafts';
import { mappingInputSchema, type MappingFields } from '../../../shared/contract/mappings';
import { scheduleDraftSchema, type ScheduleDraft } from '../../../shared/contract/schedules';
import { templateFieldSchema, type TemplateField, type TemplateSummary } from '../../../shared/contract/templates';
import { AppError } from '../../../shared/result';
import { describeIssues } from '../invoke';
import { checkFieldValue } from './field-values';

/**
 * A starter kit is data: the n8n workflow as n8n exports it, the mapping and (optionally) the
 * schedule, with `<<key>>` placeholders where the operator's values go. Node ids and webhook ids
 * are made fresh on every install, so one kit can be installed many times into one instance.
 */
export interface TemplateKit {
  id: string;
  name: string;
  description: string;
  creates: string[];
  fields: TemplateField[];
  /** The npm package whose node types the workflow uses, when not n8n's own. */
  needsPackage: string | null;
  activateByDefault: boolean;
  /** n8n's workflow (name, nodes, connections, settings) with placeholders in its strings. */
  workflow: unknown;
  /** The mapping's fields without the instance and workflow (the install adds those). */
  mapping: Record<string, unknown>;
  /** A schedule that emits the mapping's event, or null. */
  schedule: Record<string, unknown> | null;
  /** Sentences shown after the install: what is left to do in n8n. */
  nextSteps: string[];
}

const kitSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1).max(80),
    description: z.string().min(1).max(500),
    creates: z.array(z.string()).min(1),
    fields: z.array(templateFieldSchema).max(10),
    needsPackage: z.string().nullable(),
    activateByDefault: z.boolean(),
    workflow: z.unknown(),
    mapping: z.record(z.string(), z.unknown()),
    schedule: z.record(z.string(), z.unknown()).nullable(),
    nextSteps: z.array(z.string()),
  })
  .strict();

const PLACEHOLDER = /<<([A-Za-z][A-Za-z0-9]*)>>/g;

/** Every `<<key>>` in the strings of `value`, replaced; a string that is only a placeholder stays a string. */
function fill(value: unknown, values: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return value.replace(PLACEHOLDER, (_m, key: string) => values[key] ?? '');
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

/** The placeholders a kit uses, for the check that each has a field. */
function placeholdersOf(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(PLACEHOLDER)) into.add(m[1]!);
  else if (Array.isArray(value)) for (const v of value) placeholdersOf(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) placeholdersOf(v, into);
  return into;
}

/**
 * Checks a kit's own shape once, at load: every placeholder has a field, every field's default is
 * valid for its kind, and the kit filled with its defaults is a valid workflow, mapping and schedule.
 * A kit that fails is a programming error (the unit tests load every kit).
 */
export function defineKit(kit: TemplateKit): TemplateKit {
  const parsed = kitSchema.safeParse(kit);
  if (!parsed.success) throw new Error(describeIssues(`template ${kit.id}`, parsed.error));
  const keys = new Set(kit.fields.map((f) => f.key));
  for (const used of placeholdersOf([kit.workflow, kit.mapping, kit.schedule, kit.nextSteps]))
    if (!keys.has(used)) throw new Error(`template ${kit.id}: placeholder <<${used}>> has no field`);
  for (const field of kit.fields) {
    const problem = checkFieldValue(field.kind, field.default);
    if (problem) throw new Error(`template ${kit.id}: default of ${field.key}: ${problem}`);
  }
  fillKit(kit, Object.fromEntries(kit.fields.map((f) => [f.key, f.default])), 'default');
  return kit;
}

export interface FilledKit {
  workflow: WorkflowDefinition;
  mapping: Omit<MappingFields, 'instanceId' | 'workflowId'>;
  schedule: ScheduleDraft | null;
  nextSteps: string[];
}

/**
 * The operator's values checked field by field (VALIDATION naming the field); a field left out
 * takes its default. Unknown keys are refused rather than ignored (a typo would install defaults).
 */
export function resolveValues(kit: TemplateKit, given: Readonly<Record<string, string>>): Record<string, string> {
  const unknown = Object.keys(given).filter((key) => !kit.fields.some((f) => f.key === key));
  if (unknown.length > 0)
    throw new AppError('VALIDATION', `values.${unknown[0]}: template "${kit.name}" has no field ${unknown[0]}.`);
  const values: Record<string, string> = {};
  for (const field of kit.fields) {
    const value = (Object.hasOwn(given, field.key) ? given[field.key]! : field.default).trim();
    const problem = checkFieldValue(field.kind, value);
    if (problem) throw new AppError('VALIDATION', `values.${field.key} (${field.label}): ${problem}`);
    values[field.key] = value;
  }
  return values;
}

/**
 * The kit filled with checked values and validated as a workflow, a mapping and a schedule.
 * `fresh`: new node and webhook ids, so one kit can be installed many times into one instance.
 */
export function fillKit(
  kit: TemplateKit,
  values: Readonly<Record<string, string>>,
  ids: 'fresh' | 'default' = 'fresh',
): FilledKit {
  const workflow = workflowDefinitionSchema.safeParse(fill(kit.workflow, values));
  if (!workflow.success)
    throw new AppError('VALIDATION', describeIssues(`template ${kit.id}'s workflow`, workflow.error));
  // The instance and workflow are the install's; placeholders stand in for the schema's sake.
  const mapping = mappingInputSchema.safeParse({ ...(fill(kit.mapping, values) as object), instanceId: 'x' });
  if (!mapping.success) throw new AppError('VALIDATION', describeIssues('the mapping', mapping.error));
  let schedule: ScheduleDraft | null = null;
  if (kit.schedule) {
    const parsed = scheduleDraftSchema.safeParse(fill(kit.schedule, values));
    if (!parsed.success) throw new AppError('VALIDATION', describeIssues('the schedule', parsed.error));
    schedule = parsed.data;
  }
  const { instanceId: _i, workflowId: _w, ...mappingFields } = mapping.data;
  const nodes =
    ids === 'fresh'
      ? workflow.data.nodes.map((n) => ({
          ...n,
          id: randomUUID(),
          ...(n.webhookId !== undefined ? { webhookId: randomUUID() } : {}),
        }))
      : workflow.data.nodes;
  return {
    workflow: { ...workflow.data, nodes },
    mapping: mappingFields,
    schedule,
    nextSteps: kit.nextSteps.map((s) => fill(s, values) as string),
  };
}

/** The kit as `templates:list` shows it. */
export function summaryOf(kit: TemplateKit): TemplateSummary {
  const defaults = fillKit(kit, Object.fromEntries(kit.fields.map((f) => [f.key, f.default])), 'default');
  return {
    id: kit.id,
    name: kit.name,
    description: kit.description,
    creates: kit.creates,
    fields: kit.fields,
    nodes: defaults.workflow.nodes.map((n) => ({ name: n.name, type: n.type })),
    needsPackage: kit.needsPackage,
    activateByDefault: kit.activateByDefault,
  };
}
