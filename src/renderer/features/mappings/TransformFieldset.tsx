import type { Dispatch, SetStateAction } from 'react';
import type { MappingFields } from '../../../shared/contract';
import { removeAt, replaceAt, type Draft } from './draft';

/** The part of the mapping editor's state a fieldset edits. */
export interface FieldsetProps {
  draft: Draft;
  setDraft: Dispatch<SetStateAction<Draft>>;
  err(path: string): string | undefined;
}

/** How the payload becomes the webhook body: as is, or picked fields; plus constants. */
export function TransformFieldset({ draft, setDraft }: FieldsetProps) {
  const f = draft.fields;
  const patch = (p: Partial<MappingFields>) => setDraft((d) => ({ ...d, fields: { ...d.fields, ...p } }));
  return (
    <fieldset>
      <legend>Payload transform</legend>
      <label className="field">
        <span>Mode</span>
        <select
          value={f.transform.mode}
          onChange={(e) => patch({ transform: { ...f.transform, mode: e.target.value as 'passthrough' | 'pick' } })}
          data-testid="m-transform-mode"
        >
          <option value="passthrough">Send the payload as is</option>
          <option value="pick">Pick fields</option>
        </select>
      </label>
      {f.transform.mode === 'pick' &&
        f.transform.fields.map((p, i) => (
          <div className="row" key={i}>
            <input
              aria-label="From path"
              value={p.from}
              placeholder="order.id"
              onChange={(e) =>
                patch({
                  transform: {
                    ...f.transform,
                    fields: replaceAt(f.transform.fields, i, (x) => ({ ...x, from: e.target.value })),
                  },
                })
              }
            />
            <span>→</span>
            <input
              aria-label="To path"
              value={p.to ?? ''}
              placeholder="same path"
              onChange={(e) =>
                patch({
                  transform: {
                    ...f.transform,
                    fields: replaceAt(f.transform.fields, i, (x) => ({
                      from: x.from,
                      ...(e.target.value ? { to: e.target.value } : {}),
                    })),
                  },
                })
              }
            />
            <button
              type="button"
              aria-label="Remove field"
              onClick={() => patch({ transform: { ...f.transform, fields: removeAt(f.transform.fields, i) } })}
            >
              ×
            </button>
          </div>
        ))}
      {f.transform.mode === 'pick' && (
        <button
          type="button"
          onClick={() => patch({ transform: { ...f.transform, fields: [...f.transform.fields, { from: '' }] } })}
        >
          Add field
        </button>
      )}
      {f.transform.constants.map((c, i) => (
        <div className="row" key={`c${i}`}>
          <input
            aria-label="Constant path"
            value={c.to}
            placeholder="source"
            onChange={(e) =>
              patch({
                transform: {
                  ...f.transform,
                  constants: replaceAt(f.transform.constants, i, (x) => ({ ...x, to: e.target.value })),
                },
              })
            }
          />
          <span>=</span>
          <input
            aria-label="Constant value (JSON or text)"
            value={draft.constantValues[i] ?? ''}
            onChange={(e) =>
              setDraft((d) => ({
                ...d,
                constantValues: replaceAt(d.constantValues, i, () => e.target.value),
              }))
            }
          />
          <button
            type="button"
            aria-label="Remove constant"
            onClick={() =>
              setDraft((d) => ({
                ...d,
                fields: {
                  ...d.fields,
                  transform: {
                    ...d.fields.transform,
                    constants: removeAt(d.fields.transform.constants, i),
                  },
                },
                constantValues: removeAt(d.constantValues, i),
              }))
            }
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        onClick={() =>
          setDraft((d) => ({
            ...d,
            fields: {
              ...d.fields,
              transform: {
                ...d.fields.transform,
                constants: [...d.fields.transform.constants, { to: '', value: null }],
              },
            },
            constantValues: [...d.constantValues, ''],
          }))
        }
      >
        Add constant
      </button>
    </fieldset>
  );
}
