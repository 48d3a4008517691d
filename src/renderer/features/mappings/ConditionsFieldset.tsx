import type { Dispatch, SetStateAction } from 'react';
import type { MappingFields } from '../../../shared/contract';
import { OPS, removeAt, replaceAt, type Draft } from './draft';

/** The part of the mapping editor's state a fieldset edits. */
export interface FieldsetProps {
  draft: Draft;
  setDraft: Dispatch<SetStateAction<Draft>>;
  err(path: string): string | undefined;
}

/** Conditions on payload fields: a path, an operator, a value (JSON or text); all must hold. */
export function ConditionsFieldset({ draft, setDraft, err }: FieldsetProps) {
  const f = draft.fields;
  const patch = (p: Partial<MappingFields>) => setDraft((d) => ({ ...d, fields: { ...d.fields, ...p } }));
  return (
    <fieldset>
      <legend>Conditions (all must hold)</legend>
      {f.conditions.length === 0 && <p className="muted">No conditions: every event of this name is dispatched.</p>}
      {f.conditions.map((c, i) => (
        <div className="row" key={i}>
          <input
            aria-label="Payload path"
            value={c.path}
            placeholder="amount"
            onChange={(e) => patch({ conditions: replaceAt(f.conditions, i, (x) => ({ ...x, path: e.target.value })) })}
          />
          <select
            aria-label="Operator"
            value={c.op}
            onChange={(e) =>
              patch({
                conditions: replaceAt(f.conditions, i, (x) => ({ ...x, op: e.target.value as (typeof OPS)[number] })),
              })
            }
          >
            {OPS.map((op) => (
              <option key={op}>{op}</option>
            ))}
          </select>
          <input
            aria-label="Value (JSON or text)"
            value={draft.conditionValues[i] ?? ''}
            placeholder='100 or "gold" or ["a","b"]'
            onChange={(e) =>
              setDraft((d) => ({
                ...d,
                conditionValues: replaceAt(d.conditionValues, i, () => e.target.value),
              }))
            }
          />
          <button
            type="button"
            aria-label="Remove condition"
            onClick={() =>
              setDraft((d) => ({
                ...d,
                fields: { ...d.fields, conditions: removeAt(d.fields.conditions, i) },
                conditionValues: removeAt(d.conditionValues, i),
              }))
            }
          >
            ×
          </button>
          {(err(`conditions.${i}.path`) ?? err(`conditions.${i}.value`)) && (
            <small className="invalid">{err(`conditions.${i}.path`) ?? err(`conditions.${i}.value`)}</small>
          )}
        </div>
      ))}
      <button
        type="button"
        onClick={() =>
          setDraft((d) => ({
            ...d,
            fields: { ...d.fields, conditions: [...d.fields.conditions, { path: '', op: 'eq' }] },
            conditionValues: [...d.conditionValues, ''],
          }))
        }
      >
        Add condition
      </button>
    </fieldset>
  );
}
