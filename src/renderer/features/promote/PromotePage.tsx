import { useState } from 'react';
import type { Promotion, PromotionActivation, PromotionPlan, WorkflowVersionKind } from '../../../shared/contract';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CanButton } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { hashFor } from '../../stores/nav-store';
import { useInstanceList } from '../instances/instances-store';
import { PlanTable } from './PlanTable';
import { PromotionHistory, PromotionRecord } from './PromotionRecord';
import styles from './Promote.module.css';
import { VariablesEditor } from './VariablesEditor';

const ACTIVATIONS: { value: PromotionActivation; label: string; hint: string }[] = [
  {
    value: 'keep',
    label: 'Keep as on the target',
    hint: 'updated workflows stay live or stopped; new ones are created stopped',
  },
  { value: 'active', label: 'Make live', hint: 'activate (1.x) or publish (2.x) every promoted workflow' },
  { value: 'inactive', label: 'Stop', hint: 'deactivate (1.x) or unpublish (2.x) every promoted workflow' },
];

/**
 * Promotion between instances (#/workflows/promote): pick a source and a target, tick the source's
 * workflows, plan (a dry run with the diff, credential mapping and refusals), confirm with the
 * live state chosen, and roll back from the record.
 */
export function PromotePage() {
  const { instances } = useInstanceList();
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('');
  const [version, setVersion] = useState<WorkflowVersionKind>('draft');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [plan, setPlan] = useState<PromotionPlan | null>(null);
  const [activation, setActivation] = useState<PromotionActivation>('keep');
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Promotion | null>(null);
  const workflows = useCall('workflows:list', { instanceId: source || '-' }, { enabled: Boolean(source) });
  const planAction = useAction('promotions:plan', { quiet: true, onSuccess: (p) => setPlan(p) });
  const promote = useAction('promotions:promote', {
    quiet: true,
    onSuccess: (p) => {
      setResult(p);
      setPlan(null);
    },
  });
  const name = (id: string) => instances.find((i) => i.id === id)?.name ?? id;

  // Any change to the selection makes the last plan stale.
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPlan(null);
      planAction.reset();
      promote.reset();
    };
  const toggle = (id: string) =>
    changed(setPicked)(new Set(picked.has(id) ? [...picked].filter((p) => p !== id) : [...picked, id]));
  const selection = { sourceInstanceId: source, targetInstanceId: target, workflowIds: [...picked], version };
  const sourceWorkflows = (workflows.data?.workflows ?? []).filter((w) => !w.archived);
  const promotable = plan?.items.filter((i) => i.status !== 'unchanged' || activation !== 'keep').length ?? 0;

  return (
    <section className="page" aria-labelledby="promote-title" data-testid="promote-page">
      <div className="page-head">
        <h1 id="promote-title">Promote workflows</h1>
        <a href={hashFor('workflows')} className="small">
          Back to workflows
        </a>
      </div>
      <p className="muted small">
        Copies workflows from one instance into another (dev → staging → prod): a dry run first, credentials re-pointed
        by name and type, and a record to roll back from.
      </p>
      <div className={styles.pick}>
        <label>
          From
          <select
            value={source}
            onChange={(e) => {
              changed(setSource)(e.target.value);
              setPicked(new Set());
            }}
            data-testid="promote-source"
          >
            <option value="">Choose the source…</option>
            {instances.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          To
          <select value={target} onChange={(e) => changed(setTarget)(e.target.value)} data-testid="promote-target">
            <option value="">Choose the target…</option>
            {instances
              .filter((i) => i.id !== source)
              .map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Version
          <select
            value={version}
            onChange={(e) => changed(setVersion)(e.target.value as WorkflowVersionKind)}
            data-testid="promote-version"
          >
            <option value="draft">Saved version</option>
            <option value="published">Published (live) version</option>
          </select>
        </label>
      </div>

      {(source || target) && (
        <details className={styles.variablesBox} data-testid="promote-variables">
          <summary>Variables (values that differ between instances)</summary>
          <p className="muted small">
            Where a string parameter holds the value of a variable on {source ? name(source) : 'the source'}, the
            promotion writes the value of the same variable on {target ? name(target) : 'the target'} instead.
          </p>
          <div className={styles.variablesGrid}>
            {[source, target].filter(Boolean).map((id) => (
              <VariablesEditor
                key={id}
                instanceId={id}
                instanceName={name(id)}
                onSaved={() => {
                  setPlan(null);
                  planAction.reset();
                }}
              />
            ))}
          </div>
        </details>
      )}

      {source && (
        <fieldset className={styles.workflows} data-testid="promote-workflows">
          <legend>Workflows on {name(source)}</legend>
          {workflows.isError ? (
            <LoadError what="the workflows" error={workflows.error} retry={() => void workflows.refetch()} />
          ) : !workflows.data ? (
            <p className="muted">Loading…</p>
          ) : sourceWorkflows.length === 0 ? (
            <p className="muted">No workflows synced from {name(source)} yet (Instances → Sync now).</p>
          ) : (
            <ul className={styles.checklist}>
              {sourceWorkflows.map((w) => (
                <li key={w.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={picked.has(w.id)}
                      onChange={() => toggle(w.id)}
                      data-testid={`promote-pick-${w.name}`}
                    />
                    {w.name} {w.active && <span className="tag">live</span>}
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
      )}

      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={!source || !target || picked.size === 0 || planAction.isPending}
          onClick={() => planAction.mutate(selection)}
          data-testid="promote-plan"
        >
          {planAction.isPending ? 'Planning…' : `Plan (dry run) for ${picked.size} workflow(s)`}
        </button>
      </div>
      {planAction.error && (
        <p role="alert" className={styles.error} data-testid="promote-plan-error">
          {planAction.error.message}
        </p>
      )}

      {plan && (
        <>
          <PlanTable plan={plan} sourceName={name(plan.sourceInstanceId)} targetName={name(plan.targetInstanceId)} />
          <fieldset className={styles.activation}>
            <legend>Live state on {name(plan.targetInstanceId)}</legend>
            {ACTIVATIONS.map((a) => (
              <label key={a.value}>
                <input
                  type="radio"
                  name="promote-activation"
                  value={a.value}
                  checked={activation === a.value}
                  onChange={() => setActivation(a.value)}
                  data-testid={`promote-activation-${a.value}`}
                />
                {a.label} <span className="muted small">— {a.hint}</span>
              </label>
            ))}
          </fieldset>
          <div className="row">
            <CanButton
              channel="promotions:promote"
              className="primary"
              disabled={!plan.ok || promote.isPending}
              title={plan.ok ? undefined : 'Some workflows cannot be promoted: see the checks above'}
              onClick={() => setConfirming(true)}
              data-testid="promote-go"
            >
              {promote.isPending ? 'Promoting…' : `Promote to ${name(plan.targetInstanceId)}`}
            </CanButton>
          </div>
        </>
      )}
      {promote.error && (
        <p role="alert" className={styles.error} data-testid="promote-error">
          {promote.error.message}
        </p>
      )}
      {confirming && plan && (
        <ConfirmDialog
          title={`Promote into ${name(plan.targetInstanceId)}?`}
          confirmLabel="Promote"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            const expected = Object.fromEntries(plan.items.map((i) => [i.sourceWorkflowId, i.targetUpdatedAtMs]));
            promote.mutate({ ...selection, activation, expected });
          }}
        >
          <p>
            {plan.items.filter((i) => i.status === 'new').length} created,{' '}
            {plan.items.filter((i) => i.status === 'changed').length} updated, {promotable} touched in all;{' '}
            {ACTIVATIONS.find((a) => a.value === activation)?.label.toLowerCase()}. What the target had is kept for a
            rollback.
          </p>
        </ConfirmDialog>
      )}
      {result && <PromotionRecord promotion={result} name={name} onChanged={setResult} />}
      <PromotionHistory name={name} />
    </section>
  );
}
