import type { MappingFields } from '../../../shared/contract';
import { templateFields } from '../../../shared/approval-title';
import type { FieldsetProps } from './ConditionsFieldset';

const HOUR = 3_600_000;

/** How a gated run reads in the inbox: its title over payload fields, a note to the approver, its expiry. */
export function TriageFieldset({ draft, setDraft, err }: FieldsetProps) {
  const f = draft.fields;
  const patch = (p: Partial<MappingFields>) => setDraft((d) => ({ ...d, fields: { ...d.fields, ...p } }));
  // Each field shown as its own name, since the real values arrive with the event.
  const fields = templateFields(f.approvalTitle);
  const sample = fields.length
    ? `${f.approvalTitle.replace(/\{\{\s*([^}]*?)\s*\}\}/g, '‹$1›')} (fields: ${fields.join(', ')})`
    : f.approvalTitle;
  const expiry = f.approvalExpiry;
  return (
    <fieldset data-testid="m-triage">
      <legend>In the approval inbox</legend>
      <label className="field">
        <span>Title (payload fields in double braces)</span>
        <input
          value={f.approvalTitle}
          placeholder="Refund {{refundId}} · {{amount}} {{currency}} · {{customer}}"
          onChange={(e) => patch({ approvalTitle: e.target.value })}
          aria-invalid={Boolean(err('approvalTitle'))}
          data-testid="m-approval-title"
        />
        {err('approvalTitle') ? (
          <small className="invalid">{err('approvalTitle')}</small>
        ) : (
          <small className="muted">
            {f.approvalTitle.trim()
              ? `Reads as: ${sample}`
              : `Empty: items read "${f.event || 'event'} → ${f.name || f.event || 'this mapping'}".`}
          </small>
        )}
      </label>
      <label className="field">
        <span>Note to the approver</span>
        <textarea
          rows={2}
          value={f.approverNote}
          placeholder="Approve refunds under 500 EUR for known customers; over that, ask finance."
          onChange={(e) => patch({ approverNote: e.target.value })}
          aria-invalid={Boolean(err('approverNote'))}
          data-testid="m-approver-note"
        />
        {err('approverNote') && <small className="invalid">{err('approverNote')}</small>}
      </label>
      <div className="grid2">
        <label className="field">
          <span>Undecided items expire after (hours, blank: never)</span>
          <input
            type="number"
            min={1}
            step="any"
            value={expiry ? String(expiry.afterMs / HOUR) : ''}
            aria-invalid={Boolean(err('approvalExpiry.afterMs'))}
            onChange={(e) =>
              patch({
                approvalExpiry:
                  e.target.value.trim() === ''
                    ? null
                    : { afterMs: Math.round(Number(e.target.value) * HOUR), action: expiry?.action ?? 'reject' },
              })
            }
            data-testid="m-expiry-hours"
          />
          {err('approvalExpiry.afterMs') && <small className="invalid">{err('approvalExpiry.afterMs')}</small>}
        </label>
        <label className="field">
          <span>…and then are</span>
          <select
            value={expiry?.action ?? 'reject'}
            disabled={!expiry}
            onChange={(e) =>
              expiry &&
              patch({ approvalExpiry: { ...expiry, action: e.target.value === 'approve' ? 'approve' : 'reject' } })
            }
            data-testid="m-expiry-action"
          >
            <option value="reject">rejected</option>
            <option value="approve">approved</option>
          </select>
        </label>
      </div>
      <p className="muted">The mapping&apos;s priority above orders the inbox too (0–2 count as urgent).</p>
    </fieldset>
  );
}
