import type { z } from 'zod';
import { CONDITION_OPS, mappingInputSchema, type Mapping, type MappingFields } from '../../../shared/contract';

/** The editor's working copy: values as the inputs hold them (JSON values as text). */
export interface Draft {
  fields: MappingFields;
  /** Condition values and constant values as typed, parsed on save. */
  conditionValues: string[];
  constantValues: string[];
}

export const OPS = CONDITION_OPS;

export function newDraft(): Draft {
  const fields = mappingInputSchema.parse({ event: 'my.event', instanceId: 'instance', webhookPath: 'my-hook' });
  return { fields: { ...fields, event: '', instanceId: '', webhookPath: '' }, conditionValues: [], constantValues: [] };
}

export function draftOf(mapping: Mapping): Draft {
  const { id: _id, createdAtMs: _c, updatedAtMs: _u, ...fields } = mapping;
  return {
    fields,
    conditionValues: fields.conditions.map((c) => (c.value === undefined ? '' : JSON.stringify(c.value))),
    constantValues: fields.transform.constants.map((c) => JSON.stringify(c.value)),
  };
}

/** A typed value: JSON when it parses (42, true, "x", [1,2]), otherwise the text itself. */
export function parseValue(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The draft as the contract wants it, with the field errors the schema finds. */
export function validateDraft(draft: Draft) {
  const candidate = {
    ...draft.fields,
    conditions: draft.fields.conditions.map((c, i) => ({ ...c, value: parseValue(draft.conditionValues[i] ?? '') })),
    transform: {
      ...draft.fields.transform,
      constants: draft.fields.transform.constants.map((c, i) => ({
        ...c,
        value: parseValue(draft.constantValues[i] ?? '') ?? null,
      })),
    },
  };
  const parsed = mappingInputSchema.safeParse(candidate);
  const errors = new Map<string, string>();
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.map(String).join('.');
      if (!errors.has(key)) errors.set(key, operatorMessage(key, issue));
    }
  }
  return { value: parsed.success ? parsed.data : null, errors };
}

/** A copy of `list` with item `i` replaced by `change(item)`. */
export const replaceAt = <T>(list: readonly T[], i: number, change: (item: T) => T): T[] =>
  list.map((item, j) => (j === i ? change(item) : item));

/** A copy of `list` without item `i`. */
export const removeAt = <T>(list: readonly T[], i: number): T[] => list.filter((_, j) => j !== i);

/** Fields whose numbers the editor shows in other units, or whose absence needs a sentence of its own. */
const FIELD_WORDS: Record<string, string> = {
  event: 'Name the event, e.g. order.created (letters, digits and . _ : -).',
  instanceId: 'Choose the n8n instance that runs the workflow.',
  webhookPath: "Choose the workflow's webhook path, or type the Webhook node's path (e.g. orders/new).",
  timeoutMs: 'Use a timeout from 1 to 600 seconds.',
  priority: 'Use a priority from 0 (first) to 9 (last).',
  concurrency: 'Use a whole number from 1 to 1000, or leave it blank for no limit.',
  'retry.attempts': 'Use 1 to 25 attempts (the first try included).',
  'retry.delayMs': 'Use a delay from 0 seconds to one day.',
  'retry.jitter': 'Use a jitter from 0 (none) to 1 (±100 %).',
  'rateLimit.max': 'Use a whole number of runs, at least 1.',
  'rateLimit.perMs': 'Use a period from 0.1 seconds to one day.',
  'approvalExpiry.afterMs': 'Use an expiry from 1 minute to 90 days.',
  approvalTitle: 'Keep the title under 200 characters.',
  approverNote: 'Keep the note under 2000 characters.',
};

/**
 * The schema's finding in the operator's words: zod's own wording ("Too small: expected string to
 * have >=1 characters") never reaches the form. Messages the contract words itself pass through.
 */
export function operatorMessage(path: string, issue: z.core.$ZodIssue): string {
  const generic = issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_type';
  if (!generic && issue.code !== 'invalid_format') return issue.message;
  if (issue.code === 'invalid_format' && !/^Invalid/.test(issue.message)) return issue.message;
  const words = FIELD_WORDS[path];
  if (words) return words;
  if (/^conditions\.\d+\.path$|^transform\.(fields|constants)\.\d+\.(from|to)$/.test(path)) {
    return 'Give a payload path such as order.total or items.0.sku.';
  }
  if (issue.code === 'too_small' && 'minimum' in issue) return `Use at least ${String(issue.minimum)}.`;
  if (issue.code === 'too_big' && 'maximum' in issue) return `Use at most ${String(issue.maximum)}.`;
  if (issue.code === 'invalid_type') return issue.expected === 'number' ? 'Enter a number.' : 'This field is required.';
  return 'Check this value.';
}

/** The value at a dotted path (`retry.delayMs`, `conditions.0.path`). */
export function valueAt(root: unknown, path: string): unknown {
  let at: unknown = root;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A field counts as touched once its value left the one it started with ('' and absent are alike). */
export function changedFrom(initial: unknown, current: unknown, path: string): boolean {
  const norm = (v: unknown) => (v === '' || v === null || v === undefined ? null : JSON.stringify(v));
  return norm(valueAt(initial, path)) !== norm(valueAt(current, path));
}
