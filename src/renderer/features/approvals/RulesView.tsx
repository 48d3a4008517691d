import { useEffect, useState } from 'react';
import type { ApprovalRule } from '../../../shared/contract';
import { api, send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { namer, usePickerOptions } from '../../components/picker-options';
import { CanButton } from '../../components/Guarded';
import { RuleEditor } from './RuleEditor';

type Names = ReturnType<typeof namer>;

/** A rule's scope in words: "instance prod · workflow Refund payout · mapping Refunds · event refund.requested". */
const scopeWords = (scope: ApprovalRule['rule']['scope'], names: Names): string[] => [
  ...(scope.kind ? [scope.kind === 'gate' ? 'gates only' : 'n8n waits only'] : []),
  ...(scope.instanceId ? [`instance ${names.instance(scope.instanceId)}`] : []),
  ...(scope.workflowId ? [`workflow ${names.workflow(scope.instanceId, scope.workflowId)}`] : []),
  ...(scope.mappingId ? [`mapping ${names.mapping(scope.mappingId)}`] : []),
  ...(scope.event ? [`event ${scope.event}`] : []),
];

const describe = (r: ApprovalRule['rule'], names: Names) =>
  [
    ...scopeWords(r.scope, names),
    ...r.conditions.map((c) => `${c.path} ${c.op}${c.value === undefined ? '' : ' ' + JSON.stringify(c.value)}`),
    ...(r.history ? [`success rate > ${r.history.minSuccessRatePct}% over ${r.history.windowDays} days`] : []),
  ].join(' and ');

/** Auto-approval rules: list, edit, dry run, remove, and apply to open items now. */
export function RulesView() {
  const [rules, setRules] = useState<ApprovalRule[] | null>(null);
  const [editing, setEditing] = useState<ApprovalRule | 'new' | null>(null);
  const [removing, setRemoving] = useState<ApprovalRule | null>(null);
  const [ran, setRan] = useState<string | null>(null);
  const names = namer(usePickerOptions().options);

  useEffect(() => {
    const load = () =>
      void send('approvals:listRules', {})
        .then(setRules)
        .catch(() => undefined);
    load();
    const offs = [api.on('approvals:configChanged', load), api.on('approvals:changed', load)];
    return () => offs.forEach((off) => off());
  }, []);

  if (editing) {
    return <RuleEditor rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />;
  }
  const runNow = async () => {
    const r = await send('approvals:runRules', {});
    setRan(`Checked ${r.checked} open ${r.checked === 1 ? 'item' : 'items'}; ${r.approved} approved by rules.`);
  };
  return (
    <>
      <div className="toolbar">
        <CanButton
          channel="approvals:saveRule"
          className="primary"
          onClick={() => setEditing('new')}
          data-testid="rule-new"
        >
          New rule
        </CanButton>
        <CanButton
          channel="approvals:runRules"
          onClick={() => void runNow().catch(() => undefined)}
          disabled={!rules?.length}
        >
          Apply rules to open items now
        </CanButton>
        {ran && <span role="status">{ran}</span>}
      </div>
      <p className="muted">
        Rules run, in order, on every new item. The first that holds approves it and its explanation is recorded in the
        audit log. Rules never reject.
      </p>
      {rules === null ? (
        <p className="muted">Loading…</p>
      ) : rules.length === 0 ? (
        <EmptyState title="No auto-approval rules">
          A rule approves items whose payload and workflow history meet its conditions, for example amount &lt; 100 and
          a success rate above 95% over 7 days. Try it on past decisions with a dry run before saving.
        </EmptyState>
      ) : (
        rules.map((r) => (
          <div className="rule-card" key={r.id} data-testid="rule-card">
            <strong>{r.rule.name}</strong> {r.rule.enabled ? '' : <span className="muted">(off)</span>}
            <div>{describe(r.rule, names)}</div>
            <div className="muted">
              {r.approvedLast24h} approved in the last 24 hours
              {r.rule.dailyLimit !== null && ` (limit ${r.rule.dailyLimit})`}
            </div>
            <div className="actions">
              <CanButton channel="approvals:saveRule" onClick={() => setEditing(r)}>
                Edit
              </CanButton>
              <CanButton channel="approvals:removeRule" onClick={() => setRemoving(r)}>
                Remove…
              </CanButton>
            </div>
          </div>
        ))
      )}
      {removing && (
        <ConfirmDialog
          title={`Remove rule “${removing.rule.name}”?`}
          confirmLabel="Remove"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() =>
            void send('approvals:removeRule', { id: removing.id })
              .finally(() => setRemoving(null))
              .catch(() => undefined)
          }
        >
          Decisions it already took stay as they are, with their explanation.
        </ConfirmDialog>
      )}
    </>
  );
}
