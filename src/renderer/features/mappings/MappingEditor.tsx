import { useEffect, useState } from 'react';
import type { Mapping, MappingFields, RouteCheck } from '../../../shared/contract';
import { sendCatch } from '../../api/client';
import { useAction } from '../../data/calls';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Picker } from '../../components/Picker';
import {
  eventChoices,
  instanceChoices,
  usePickerOptions,
  webhookPathChoices,
  workflowChoices,
} from '../../components/picker-options';
import { ConditionsFieldset } from './ConditionsFieldset';
import { changedFrom, draftOf, newDraft, validateDraft, type Draft } from './draft';
import { RequestPreviewPanel } from './RequestPreviewPanel';
import { TransformFieldset } from './TransformFieldset';
import { TriageFieldset } from './TriageFieldset';
import './mapping-editor.css';
import { CanButton } from '../../components/Guarded';

type Patch = Partial<MappingFields>;

/** Verdicts that need the operator's word before saving: the path would not reach a live workflow. */
const WARN: ReadonlySet<RouteCheck['verdict']> = new Set(['unknown', 'inactive', 'other-workflow']);

/**
 * The route check of the path being edited, asked a moment after typing stops (the core judges it
 * from the last sync; nothing is sent to n8n).
 */
function useRouteCheck(instanceId: string, webhookPath: string, workflowId: string | null): RouteCheck | null {
  const [check, setCheck] = useState<{ key: string; result: RouteCheck } | null>(null);
  const key = `${instanceId}\n${webhookPath}\n${workflowId ?? ''}`;
  useEffect(() => {
    if (!instanceId || !webhookPath.trim()) return;
    let live = true;
    const timer = setTimeout(() => {
      void sendCatch('mappings:checkRoute', { instanceId, webhookPath, workflowId }).then(
        (r) => live && r.ok && setCheck({ key, result: r.data }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key, instanceId, webhookPath, workflowId]);
  return check?.key === key ? check.result : null;
}

/** Create or edit one mapping: pickers fed by what is synced, and a preview of the exact request. */
export function MappingEditor({ mapping, onDone }: { mapping: Mapping | null; onDone(id: string | null): void }) {
  const [initial] = useState<Draft>(() => (mapping ? draftOf(mapping) : newDraft()));
  const [draft, setDraft] = useState<Draft>(initial);
  const { options } = usePickerOptions();
  const [confirmDelete, setConfirmDelete] = useState(false);
  // Errors show once a field was changed or left, or after a save was tried: never on an untouched form.
  const [blurred, setBlurred] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [routeWarning, setRouteWarning] = useState<RouteCheck | null>(null);
  const { value, errors } = validateDraft(draft);
  const f = draft.fields;
  const patch = (p: Patch) => {
    setRouteWarning(null);
    setDraft((d) => ({ ...d, fields: { ...d.fields, ...p } }));
  };
  const touch = (path: string) => () => setBlurred((b) => new Set(b).add(path));
  const err = (path: string) =>
    submitted || blurred.has(path) || changedFrom(initial.fields, draft.fields, path) ? errors.get(path) : undefined;
  const route = useRouteCheck(f.instanceId, f.webhookPath, f.workflowId);
  const noSync = options !== null && options.instances.length === 0;

  // A refused save is said under the form, in the core's words (quiet: no toast on top of it).
  const update = useAction('mappings:update', { quiet: true });
  const create = useAction('mappings:create', { quiet: true });
  const removal = useAction('mappings:remove');
  const saveError = (mapping ? update.error : create.error) ?? null;
  const write = async () => {
    if (!value) return;
    const saved = mapping ? await update.run({ id: mapping.id, mapping: value }) : await create.run({ mapping: value });
    if (saved) onDone(saved.id);
  };
  const save = async () => {
    setSubmitted(true);
    if (!value) return;
    // The check is asked again at save time: the one on screen may be a keystroke old.
    const check = await sendCatch('mappings:checkRoute', {
      instanceId: value.instanceId,
      webhookPath: value.webhookPath,
      workflowId: value.workflowId,
    });
    if (check.ok && WARN.has(check.data.verdict)) {
      setRouteWarning(check.data);
      return;
    }
    await write();
  };
  const remove = async () => {
    setConfirmDelete(false);
    // Refused (the toast says why): the editor stays open on the mapping.
    if (mapping && (await removal.run({ id: mapping.id })) === undefined) return;
    onDone(null);
  };
  const pickWorkflow = (workflowId: string | null) => {
    const workflow = options?.workflows.find((w) => w.instanceId === f.instanceId && w.id === workflowId);
    const paths = workflow?.webhookPaths ?? [];
    // The workflow's own path, when it has exactly one and the path is not already one of its own.
    const path = paths.length === 1 && !paths.includes(f.webhookPath) ? paths[0] : undefined;
    patch({ workflowId, ...(path !== undefined ? { webhookPath: path } : {}) });
  };
  const pickPath = (webhookPath: string) => {
    const owner = options?.workflows.find(
      (w) => w.instanceId === f.instanceId && w.webhookPaths.includes(webhookPath) && w.active,
    );
    // A path picked from the list names its workflow; typing keeps the workflow chosen.
    patch({ webhookPath, ...(owner && !f.workflowId ? { workflowId: owner.id } : {}) });
  };

  const num = (text: string) => (text.trim() === '' ? null : Number(text));
  return (
    <form
      className="editor mapping-editor"
      data-testid="mapping-editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{mapping ? `Edit ${mapping.name}` : 'New mapping'}</h2>
      <div className="grid2">
        <Picker
          label="Event name"
          free
          value={f.event}
          options={eventChoices(options)}
          error={err('event')}
          onChange={(event) => patch({ event: event ?? '' })}
          onBlur={touch('event')}
          placeholder="order.created"
          emptyText="A new event name: runs start when it is first emitted"
          testId="m-event"
        />
        <Text
          label="Label"
          value={f.name}
          error={err('name')}
          onChange={(name) => patch({ name })}
          placeholder="defaults to the event name"
        />
        <Picker
          label="Instance"
          value={f.instanceId || null}
          options={instanceChoices(options)}
          error={err('instanceId')}
          onChange={(instanceId) => {
            const same = instanceId === f.instanceId;
            patch({ instanceId: instanceId ?? '', ...(same ? {} : { workflowId: null }) });
          }}
          onBlur={touch('instanceId')}
          placeholder="Choose an instance…"
          emptyText="No instance matches"
          note={noSync ? 'Add an n8n instance under Instances first.' : undefined}
          testId="m-instance"
        />
        <Picker
          label="Workflow"
          value={f.workflowId}
          options={workflowChoices(options, f.instanceId || null)}
          clearable="(none: only the webhook path)"
          disabled={!f.instanceId}
          onChange={pickWorkflow}
          placeholder={f.instanceId ? 'Search this instance’s workflows…' : 'Choose an instance first'}
          emptyText="No synced workflow matches: sync the instance, or type the path below"
          note="Links runs to the workflow and fills in its webhook path."
          testId="m-workflow"
        />
        <div className="span2">
          <Picker
            label="Webhook path"
            free
            value={f.webhookPath}
            options={webhookPathChoices(options, f.instanceId || null, f.workflowId)}
            error={err('webhookPath')}
            onChange={(p) => pickPath(p ?? '')}
            onBlur={touch('webhookPath')}
            placeholder="orders/new"
            emptyText="No synced workflow of this instance has a matching path"
            testId="m-path"
          />
          {!err('webhookPath') && route && (
            <p
              className={`route-note ${WARN.has(route.verdict) ? 'warn' : route.verdict === 'served' ? 'ok' : 'muted'}`}
              data-testid="m-route"
              data-verdict={route.verdict}
            >
              {route.message}
              {route.suggestions.map((s) => (
                <button
                  key={`${s.workflowId}/${s.path}`}
                  type="button"
                  className="link"
                  data-testid="m-route-suggestion"
                  onClick={() => patch({ webhookPath: s.path, workflowId: s.workflowId })}
                >
                  Use {s.path}
                </button>
              ))}
            </p>
          )}
        </div>
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

      {f.requiresApproval && <TriageFieldset draft={draft} setDraft={setDraft} err={err} />}

      <RequestPreviewPanel mapping={value} saved={Boolean(mapping)} />

      <div className="actions">
        <CanButton
          channel={mapping ? 'mappings:update' : 'mappings:create'}
          type="submit"
          className="primary"
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
        {saveError && value && (
          <span className="invalid" role="alert" data-testid="m-save-error">
            Not saved: {saveError.message}
          </span>
        )}
        {submitted && !value && (
          <span className="invalid" data-testid="m-form-error">
            {errors.size === 1 ? 'One field needs a fix' : `${errors.size} fields need a fix`}:{' '}
            {[...errors.values()][0]}
          </span>
        )}
      </div>
      {routeWarning && (
        <ConfirmDialog
          title="No live workflow serves this path"
          confirmLabel="Save anyway"
          danger
          onCancel={() => setRouteWarning(null)}
          onConfirm={() => {
            setRouteWarning(null);
            void write();
          }}
        >
          <span data-testid="m-route-warning">{routeWarning.message}</span>
        </ConfirmDialog>
      )}
      {confirmDelete && mapping && (
        <ConfirmDialog
          title={`Delete ${mapping.name}?`}
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => void remove()}
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
