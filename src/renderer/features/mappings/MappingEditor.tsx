import { useState } from 'react';
import type { Mapping, MappingFields } from '../../../shared/contract';
import { send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useInstanceList } from '../instances/instances-store';
import { ConditionsFieldset } from './ConditionsFieldset';
import { draftOf, newDraft, validateDraft, type Draft } from './draft';
import { RequestPreviewPanel } from './RequestPreviewPanel';
import { TransformFieldset } from './TransformFieldset';
import { CanButton } from '../../components/Guarded';

type Patch = Partial<MappingFields>;

/** Create or edit one mapping, with validation as you type and a preview of the exact request. */
export function MappingEditor({ mapping, onDone }: { mapping: Mapping | null; onDone(id: string | null): void }) {
  const [draft, setDraft] = useState<Draft>(() => (mapping ? draftOf(mapping) : newDraft()));
  const { instances } = useInstanceList();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { value, errors } = validateDraft(draft);
  const f = draft.fields;
  const patch = (p: Patch) => setDraft((d) => ({ ...d, fields: { ...d.fields, ...p } }));
  const err = (path: string) => errors.get(path);

  const save = async () => {
    if (!value) return;
    const saved = mapping
      ? await send('mappings:update', { id: mapping.id, mapping: value })
      : await send('mappings:create', { mapping: value });
    onDone(saved.id);
  };
  const remove = async () => {
    if (mapping) await send('mappings:remove', { id: mapping.id });
    onDone(null);
  };

  const num = (text: string) => (text.trim() === '' ? null : Number(text));
  return (
    <form
      className="editor"
      data-testid="mapping-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save().catch(() => undefined);
      }}
    >
      <h2>{mapping ? `Edit ${mapping.name}` : 'New mapping'}</h2>
      <div className="grid2">
        <Text
          label="Event name"
          value={f.event}
          error={err('event')}
          onChange={(event) => patch({ event })}
          testId="m-event"
        />
        <Text
          label="Label"
          value={f.name}
          error={err('name')}
          onChange={(name) => patch({ name })}
          placeholder="defaults to the event name"
        />
        <label className="field">
          <span>Instance</span>
          <select
            value={f.instanceId}
            onChange={(e) => patch({ instanceId: e.target.value })}
            aria-invalid={Boolean(err('instanceId'))}
            data-testid="m-instance"
          >
            <option value="">Choose an instance…</option>
            {instances.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} ({i.environment})
              </option>
            ))}
          </select>
          {instances.length === 0 && <small className="muted">Add an n8n instance under Instances first.</small>}
          {err('instanceId') && <small className="invalid">{err('instanceId')}</small>}
        </label>
        <Text
          label="Webhook path"
          value={f.webhookPath}
          error={err('webhookPath')}
          onChange={(webhookPath) => patch({ webhookPath })}
          testId="m-path"
          placeholder="orders/new"
        />
        <Text
          label="Workflow id (optional)"
          value={f.workflowId ?? ''}
          error={err('workflowId')}
          onChange={(v) => patch({ workflowId: v || null })}
        />
        <Text
          label="Priority (0 first … 9 last)"
          type="number"
          value={String(f.priority)}
          error={err('priority')}
          onChange={(v) => patch({ priority: Number(v) })}
        />
        <Text
          label="Timeout (seconds)"
          type="number"
          value={String(f.timeoutMs / 1000)}
          error={err('timeoutMs')}
          onChange={(v) => patch({ timeoutMs: Math.round(Number(v) * 1000) })}
        />
        <Text
          label="Concurrency (blank: no limit)"
          type="number"
          value={f.concurrency === null ? '' : String(f.concurrency)}
          error={err('concurrency')}
          onChange={(v) => patch({ concurrency: num(v) })}
        />
      </div>
      <div className="checks">
        <label>
          <input type="checkbox" checked={f.active} onChange={(e) => patch({ active: e.target.checked })} /> Active
        </label>
        <label>
          <input
            type="checkbox"
            checked={f.requiresApproval}
            onChange={(e) => patch({ requiresApproval: e.target.checked })}
            data-testid="m-approval"
          />{' '}
          Requires approval
        </label>
      </div>
      {f.requiresApproval && (
        <fieldset data-testid="m-four-eyes">
          <legend>Who approves (team mode)</legend>
          <div className="grid2">
            <Text
              label="Different approvers needed"
              type="number"
              value={String(f.approvalPolicy.approvers)}
              error={err('approvalPolicy.approvers')}
              onChange={(v) => patch({ approvalPolicy: { ...f.approvalPolicy, approvers: Number(v) } })}
            />
            <label className="radio">
              <input
                type="checkbox"
                checked={!f.approvalPolicy.requesterMayApprove}
                onChange={(e) =>
                  patch({ approvalPolicy: { ...f.approvalPolicy, requesterMayApprove: !e.target.checked } })
                }
                data-testid="m-four-eyes-requester"
              />
              Whoever asked for a run cannot approve it
            </label>
          </div>
          <small className="muted">
            Applies when the console runs in team mode. Rules never approve runs that need more than one approver.
          </small>
        </fieldset>
      )}

      <fieldset>
        <legend>Retries</legend>
        <div className="grid2">
          <Text
            label="Attempts (including the first)"
            type="number"
            value={String(f.retry.attempts)}
            error={err('retry.attempts')}
            onChange={(v) => patch({ retry: { ...f.retry, attempts: Number(v) } })}
          />
          <label className="field">
            <span>Backoff</span>
            <select
              value={f.retry.backoff}
              onChange={(e) => patch({ retry: { ...f.retry, backoff: e.target.value as 'fixed' | 'exponential' } })}
            >
              <option value="exponential">Exponential</option>
              <option value="fixed">Fixed</option>
            </select>
          </label>
          <Text
            label="Delay (seconds)"
            type="number"
            value={String(f.retry.delayMs / 1000)}
            error={err('retry.delayMs')}
            onChange={(v) => patch({ retry: { ...f.retry, delayMs: Math.round(Number(v) * 1000) } })}
          />
          <Text
            label="Jitter (0–1)"
            type="number"
            value={String(f.retry.jitter)}
            error={err('retry.jitter')}
            onChange={(v) => patch({ retry: { ...f.retry, jitter: Number(v) } })}
          />
        </div>
        <div className="checks">
          <label>
            <input
              type="checkbox"
              checked={f.retry.rerunFailedWorkflow}
              onChange={(e) => patch({ retry: { ...f.retry, rerunFailedWorkflow: e.target.checked } })}
              data-testid="m-rerun-failed"
            />{' '}
            Run the workflow again when it ran and failed in n8n (n8n&apos;s 500)
            <small className="muted">
              {' '}
              Off: a failed run stays failed and you choose when to Retry it, since a re-run repeats whatever the
              workflow did before the error. Calls n8n did not take (unreachable, 408, 429, 502–504) are always retried.
            </small>
          </label>
        </div>
        <div className="grid2">
          <Text
            label="Rate limit: at most (blank: none)"
            type="number"
            value={f.rateLimit ? String(f.rateLimit.max) : ''}
            error={err('rateLimit.max')}
            onChange={(v) => patch({ rateLimit: v ? { max: Number(v), perMs: f.rateLimit?.perMs ?? 60_000 } : null })}
          />
          <Text
            label="…per seconds"
            type="number"
            value={f.rateLimit ? String(f.rateLimit.perMs / 1000) : ''}
            error={err('rateLimit.perMs')}
            onChange={(v) =>
              f.rateLimit && patch({ rateLimit: { ...f.rateLimit, perMs: Math.round(Number(v) * 1000) } })
            }
          />
        </div>
      </fieldset>

      <ConditionsFieldset draft={draft} setDraft={setDraft} err={err} />

      <TransformFieldset draft={draft} setDraft={setDraft} err={err} />

      <RequestPreviewPanel mapping={value} saved={Boolean(mapping)} />

      <div className="actions">
        <CanButton
          channel={mapping ? 'mappings:update' : 'mappings:create'}
          type="submit"
          className="primary"
          disabled={!value}
          data-testid="m-save"
        >
          {mapping ? 'Save' : 'Create'}
        </CanButton>
        <button type="button" onClick={() => onDone(mapping?.id ?? null)}>
          Cancel
        </button>
        {mapping && (
          <CanButton
            channel="mappings:remove"
            className="danger"
            onClick={() => setConfirmDelete(true)}
            data-testid="m-delete"
          >
            Delete
          </CanButton>
        )}
        {!value && <span className="invalid">{[...errors.entries()][0]?.join(': ')}</span>}
      </div>
      {confirmDelete && mapping && (
        <ConfirmDialog
          title={`Delete ${mapping.name}?`}
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => void remove().catch(() => undefined)}
        >
          Events named <code>{mapping.event}</code> will no longer reach this workflow. Runs already queued are kept.
        </ConfirmDialog>
      )}
    </form>
  );
}

function Text(props: {
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string | undefined;
  type?: string;
  placeholder?: string;
  testId?: string;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        aria-invalid={Boolean(props.error)}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
      {props.error && <small className="invalid">{props.error}</small>}
    </label>
  );
}
