import { useState } from 'react';
import { Picker } from '../../components/Picker';
import {
  eventChoices,
  instanceChoices,
  mappingChoices,
  usePickerOptions,
  workflowChoices,
} from '../../components/picker-options';
import { approvalRuleInputSchema, CONDITION_OPS, type ApprovalRule, type CallOutput } from '../../../shared/contract';
import { useAction } from '../../data/calls';

interface CondDraft {
  path: string;
  op: (typeof CONDITION_OPS)[number];
  value: string;
}
interface Draft {
  name: string;
  enabled: boolean;
  scope: Record<'kind' | 'instanceId' | 'workflowId' | 'mappingId' | 'event', string>;
  conditions: CondDraft[];
  history: { on: boolean; windowDays: string; minSuccessRatePct: string; minRuns: string };
  dailyLimit: string;
}

function toDraft(rule: ApprovalRule | null): Draft {
  const r = rule?.rule;
  return {
    name: r?.name ?? '',
    enabled: r?.enabled ?? true,
    scope: {
      kind: r?.scope.kind ?? '',
      instanceId: r?.scope.instanceId ?? '',
      workflowId: r?.scope.workflowId ?? '',
      mappingId: r?.scope.mappingId ?? '',
      event: r?.scope.event ?? '',
    },
    conditions: (r?.conditions ?? []).map((c) => ({
      path: c.path,
      op: c.op,
      value: c.value === undefined ? '' : JSON.stringify(c.value),
    })),
    history: {
      on: !!r?.history,
      windowDays: String(r?.history?.windowDays ?? 7),
      minSuccessRatePct: String(r?.history?.minSuccessRatePct ?? 95),
      minRuns: String(r?.history?.minRuns ?? 5),
    },
    dailyLimit: r?.dailyLimit ? String(r.dailyLimit) : '',
  };
}

/** A value typed as JSON (42, "gold", ["a","b"]); plain words count as strings. */
const parseValue = (text: string): unknown => {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

function fromDraft(d: Draft) {
  const scope = Object.fromEntries(Object.entries(d.scope).filter(([, v]) => v.trim() !== ''));
  return approvalRuleInputSchema.safeParse({
    name: d.name,
    enabled: d.enabled,
    scope,
    conditions: d.conditions.map((c) => ({ path: c.path, op: c.op, value: parseValue(c.value) })),
    history: d.history.on
      ? {
          windowDays: Number(d.history.windowDays),
          minSuccessRatePct: Number(d.history.minSuccessRatePct),
          minRuns: Number(d.history.minRuns),
        }
      : null,
    dailyLimit: d.dailyLimit.trim() ? Number(d.dailyLimit) : null,
  });
}

/** Edits one auto-approval rule, with a live check and a dry run over past decisions. */
export function RuleEditor(props: { rule: ApprovalRule | null; onDone(): void }) {
  const [draft, setDraft] = useState(() => toDraft(props.rule));
  const { options } = usePickerOptions();
  const [dry, setDry] = useState<CallOutput<'approvals:dryRunRule'> | null>(null);
  // A form: a refusal is shown under its buttons, in the core's words, not as a toast.
  const dryRun = useAction('approvals:dryRunRule', { quiet: true, onSuccess: setDry });
  const save = useAction('approvals:saveRule', { quiet: true, onSuccess: () => props.onDone() });
  const refused = save.error ?? dryRun.error;
  const parsed = fromDraft(draft);
  const problem = parsed.success
    ? null
    : parsed.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`)[0];
  const set = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setDry(null);
  };
  const setCond = (i: number, patch: Partial<CondDraft>) =>
    set({ conditions: draft.conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)) });

  return (
    <div className="editor" data-testid="rule-editor">
      <h2>{props.rule ? 'Edit rule' : 'New auto-approval rule'}</h2>
      <label className="field">
        <span>Name</span>
        <input
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
          maxLength={100}
          data-testid="rule-name"
        />
      </label>
      <label className="radio">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
      </label>
      <fieldset>
        <legend>Applies to (empty: any)</legend>
        <div className="grid2">
          <select
            value={draft.scope.kind}
            onChange={(e) => set({ scope: { ...draft.scope, kind: e.target.value } })}
            aria-label="Kind"
          >
            <option value="">Gates and n8n waits</option>
            <option value="gate">Gates</option>
            <option value="wait">n8n waits</option>
          </select>
          <Picker
            label="Instance"
            value={draft.scope.instanceId || null}
            options={instanceChoices(options)}
            clearable="Any instance"
            placeholder="Any instance"
            onChange={(v) => set({ scope: { ...draft.scope, instanceId: v ?? '', workflowId: '' } })}
            testId="rule-instance"
          />
          <Picker
            label="Workflow"
            value={draft.scope.workflowId || null}
            options={workflowChoices(options, draft.scope.instanceId || null)}
            clearable="Any workflow"
            disabled={!draft.scope.instanceId}
            placeholder={draft.scope.instanceId ? 'Any workflow' : 'Choose an instance first'}
            onChange={(v) => set({ scope: { ...draft.scope, workflowId: v ?? '' } })}
            testId="rule-workflow"
          />
          <Picker
            label="Mapping"
            value={draft.scope.mappingId || null}
            options={mappingChoices(options)}
            clearable="Any mapping"
            placeholder="Any mapping"
            onChange={(v) => set({ scope: { ...draft.scope, mappingId: v ?? '' } })}
            testId="rule-mapping"
          />
          <Picker
            label="Event"
            free
            value={draft.scope.event}
            options={eventChoices(options)}
            placeholder="Any event"
            onChange={(v) => set({ scope: { ...draft.scope, event: v ?? '' } })}
            testId="rule-event"
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>Payload conditions (all must hold)</legend>
        {draft.conditions.map((c, i) => (
          <div className="cond-row" key={i}>
            <input
              placeholder="amount"
              aria-label="Field path"
              value={c.path}
              onChange={(e) => setCond(i, { path: e.target.value })}
              data-testid="cond-path"
            />
            <select
              value={c.op}
              aria-label="Operator"
              onChange={(e) => setCond(i, { op: e.target.value as CondDraft['op'] })}
              data-testid="cond-op"
            >
              {CONDITION_OPS.map((op) => (
                <option key={op}>{op}</option>
              ))}
            </select>
            <input
              placeholder='100 or "gold"'
              aria-label="Value"
              value={c.value}
              onChange={(e) => setCond(i, { value: e.target.value })}
              data-testid="cond-value"
            />
            <button
              type="button"
              aria-label="Remove condition"
              onClick={() => set({ conditions: draft.conditions.filter((_, j) => j !== i) })}
            >
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          onClick={() => set({ conditions: [...draft.conditions, { path: '', op: 'lt', value: '' }] })}
          data-testid="cond-add"
        >
          Add condition
        </button>
      </fieldset>
      <fieldset>
        <legend>
          <label className="radio">
            <input
              type="checkbox"
              checked={draft.history.on}
              onChange={(e) => set({ history: { ...draft.history, on: e.target.checked } })}
            />
            Workflow success rate (succeeded ÷ finished runs)
          </label>
        </legend>
        {draft.history.on && (
          <div className="row">
            above{' '}
            <input
              type="number"
              min={0}
              max={100}
              value={draft.history.minSuccessRatePct}
              aria-label="Minimum success rate, percent"
              onChange={(e) => set({ history: { ...draft.history, minSuccessRatePct: e.target.value } })}
            />{' '}
            % over{' '}
            <input
              type="number"
              min={1}
              max={365}
              value={draft.history.windowDays}
              aria-label="Window, days"
              onChange={(e) => set({ history: { ...draft.history, windowDays: e.target.value } })}
            />{' '}
            days, with at least{' '}
            <input
              type="number"
              min={1}
              value={draft.history.minRuns}
              aria-label="Minimum runs"
              onChange={(e) => set({ history: { ...draft.history, minRuns: e.target.value } })}
            />{' '}
            runs
          </div>
        )}
      </fieldset>
      <label className="field">
        <span>Daily limit (automatic approvals in any 24 hours; empty: none)</span>
        <input type="number" min={1} value={draft.dailyLimit} onChange={(e) => set({ dailyLimit: e.target.value })} />
      </label>
      {problem && (
        <p className="invalid" role="alert">
          {problem}
        </p>
      )}
      {dry && (
        <div className="notice" data-testid="dry-run-result">
          <strong>{dry.message}</strong>
          {dry.samples.length > 0 && (
            <ul>
              {dry.samples.slice(0, 5).map((s) => (
                <li key={s.id}>
                  #{s.id} {s.summary}: {s.explanation} (was {s.actual ?? 'undecided'})
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {refused && (
        <p className="invalid" role="alert" data-testid="rule-refused">
          {save.error ? 'Not saved' : 'Dry run refused'}: {refused.message}
        </p>
      )}
      <div className="actions">
        <button
          type="button"
          disabled={!parsed.success || dryRun.isPending}
          onClick={() => parsed.success && dryRun.mutate({ rule: parsed.data })}
          data-testid="rule-dry-run"
        >
          Dry run on past decisions
        </button>
        <button
          type="button"
          className="primary"
          disabled={!parsed.success || save.isPending}
          onClick={() =>
            parsed.success && save.mutate({ ...(props.rule ? { id: props.rule.id } : {}), rule: parsed.data })
          }
          data-testid="rule-save"
        >
          Save
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </div>
  );
}
