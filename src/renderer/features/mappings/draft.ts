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
      if (!errors.has(key)) errors.set(key, issue.message);
    }
  }
  return { value: parsed.success ? parsed.data : null, errors };
}

/** A copy of `list` with item `i` replaced by `change(item)`. */
export const replaceAt = <T>(list: readonly T[], i: number, change: (item: T) => T): T[] =>
  list.map((item, j) => (j === i ? change(item) : item));

/** A copy of `list` without item `i`. */
export const removeAt = <T>(list: readonly T[], i: number): T[] => list.filter((_, j) => j !== i);
