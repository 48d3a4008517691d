import { useState } from 'react';
import type { ApprovalRule } from '../../../shared/contract';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
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
  // Kept fresh by approvals events (a rule's 24-hour count moves with every decision).
  const rulesQuery = useCall('approvals:listRules', {});
  const rules = rulesQuery.data;
  const runRules = useAction('approvals:runRules', {
    onSuccess: (r) =>
      setRan(`Checked ${r.checked} open ${r.checked === 1 ? 'item' : 'items'}; ${r.approved} approved by rules.`),
  });
  const removeRule = useAction('approvals:removeRule');
  const [editing, setEditing] = useState<ApprovalRule | 'new' | null>(null);
  const [removing, setRemoving] = useState<ApprovalRule | null>(null);
  const [ran, setRan] = useState<string | null>(null);
  const names = namer(usePickerOptions().options);

  if (editing) {
    return <RuleEditor rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />;
  }
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
          onClick={() => runRules.mutate({})}
          disabled={!rules?.length || runRules.isPending}
        >
          Apply rules to open items now
        </CanButton>
        {ran && <span role="status">{ran}</span>}
      </div>
      <p className="muted">
        Rules run, in order, on every new item. The first that holds approves it and its explanation is recorded in the
        audit log. Rules never reject.
      </p>
      <Loaded query={rulesQuery} what="the auto-approval rules">
        {(rules) => <RuleList rules={rules} names={names} onEdit={setEditing} onRemove={setRemoving} />}
      </Loaded>
      {removing && (
        <ConfirmDialog
          title={`Remove rule “${removing.rule.name}”?`}
          confirmLabel="Remove"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => removeRule.mutate({ id: removing.id }, { onSettled: () => setRemoving(null) })}
        >
          Decisions it already took stay as they are, with their explanation.
        </ConfirmDialog>
      )}
    </>
  );
}

function RuleList(props: {
  rules: ApprovalRule[];
  names: Names;
  onEdit(rule: ApprovalRule): void;
  onRemove(rule: ApprovalRule): void;
}) {
  const { rules, names } = props;
  return (
    <>
      {rules.length === 0 ? (
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
              <CanButton channel="approvals:saveRule" onClick={() => props.onEdit(r)}>
                Edit
              </CanButton>
              <CanButton channel="approvals:removeRule" onClick={() => props.onRemove(r)}>
                Remove…
              </CanButton>
            </div>
          </div>
        ))
      )}
    </>
  );
}
