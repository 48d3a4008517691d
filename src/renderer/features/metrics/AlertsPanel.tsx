import { useState } from 'react';
import { summariseCondition, type AlertRule } from '../../../shared/contract';
import { EmptyState } from '../../components/EmptyState';
import { CanButton } from '../../components/Guarded';
import { Loaded } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { AlertList } from './AlertList';
import { AlertNotifierPanel } from './AlertNotifier';
import { AlertRuleEditor, draftOf, emptyDraft, type RuleDraft } from './AlertRuleEditor';
import styles from './Alerts.module.css';
import { notificationsSupported } from './notifications';

/** A rule's scope by name (the id on hover). */
function scopeOf(r: AlertRule): { text: string; title?: string } | null {
  if (r.workflowId)
    return {
      text: `workflow ${r.workflowName ?? `“${r.workflowId}”`}${r.instanceId ? ` on ${r.instanceName ?? `“${r.instanceId}”`}` : ''}`,
      title: `${r.instanceId ?? ''} ${r.workflowId}`.trim(),
    };
  if (r.instanceId) return { text: `instance ${r.instanceName ?? `“${r.instanceId}”`}`, title: r.instanceId };
  return null;
}

/** Alerts: what fires now (acknowledge, silence), the rules, and the webhook notifier. */
export function AlertsPanel() {
  const rules = useCall('alerts:listRules', {});
  const [editing, setEditing] = useState<{ id: string | null; draft: RuleDraft } | null>(null);
  const create = useAction('alerts:createRule');
  const update = useAction('alerts:updateRule');
  const remove = useAction('alerts:deleteRule');
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  const toggle = (rule: AlertRule) => {
    const { id, createdAtMs: _c, updatedAtMs: _u, instanceName: _i, workflowName: _w, ...definition } = rule;
    update.mutate({ id, rule: { ...definition, enabled: !rule.enabled } });
  };

  return (
    <div className={styles.layout}>
      <AlertList />

      <section className={styles.section} aria-labelledby="rules-title">
        <div className={styles.head}>
          <h2 id="rules-title">Rules</h2>
          <span className={styles.spacer} />
          {notificationsSupported() && permission === 'default' && (
            <button
              type="button"
              className="link"
              onClick={() => void Notification.requestPermission().then(setPermission)}
              data-testid="enable-notifications"
            >
              Enable desktop notifications
            </button>
          )}
          {permission === 'denied' && <small className={styles.muted}>Notifications are blocked by the browser.</small>}
          <div className={styles.actions}>
            <CanButton
              channel="alerts:createRule"
              type="button"
              className={styles.primary}
              onClick={() => setEditing({ id: null, draft: emptyDraft() })}
              data-testid="new-rule"
            >
              New rule
            </CanButton>
          </div>
        </div>
        {editing && (
          <AlertRuleEditor
            key={editing.id ?? 'new'}
            initial={editing.draft}
            onCancel={() => setEditing(null)}
            onSave={async (rule) => {
              const saved = editing.id ? await update.run({ id: editing.id, rule }) : await create.run({ rule });
              if (saved) setEditing(null);
              return Boolean(saved);
            }}
          />
        )}
        <Loaded query={rules} what="alert rules">
          {({ rules: list }) =>
            list.length === 0 && !editing ? (
              <EmptyState title="No alert rules">
                Nothing is watched yet. Add a rule to be told when the error rate or run time climbs, an instance goes
                down, or the queue backs up.
              </EmptyState>
            ) : (
              <ul className={styles.rules} data-testid="rule-list">
                {list.map((r) => {
                  const scope = scopeOf(r);
                  return (
                    <li key={r.id} className={styles.rule} data-testid="rule-row">
                      <span className={`${styles.ruleText} ${r.enabled ? '' : styles.muted}`}>
                        <strong>{r.name}</strong> — {summariseCondition(r.condition)}
                        {scope && <span title={scope.title}> · {scope.text}</span>}
                        {!r.enabled && ' (disabled)'}
                      </span>
                      <span className={styles.actions}>
                        <CanButton channel="alerts:updateRule" type="button" onClick={() => toggle(r)}>
                          {r.enabled ? 'Disable' : 'Enable'}
                        </CanButton>
                        <CanButton
                          channel="alerts:updateRule"
                          type="button"
                          onClick={() => setEditing({ id: r.id, draft: draftOf(r) })}
                        >
                          Edit
                        </CanButton>
                        <CanButton
                          channel="alerts:deleteRule"
                          type="button"
                          className={styles.danger}
                          onClick={() => {
                            if (
                              window.confirm(
                                `Delete the alert rule "${r.name}"? Its open alerts are resolved; the history stays.`,
                              )
                            )
                              remove.mutate({ id: r.id });
                          }}
                          data-testid="delete-rule"
                        >
                          Delete
                        </CanButton>
                      </span>
                    </li>
                  );
                })}
              </ul>
            )
          }
        </Loaded>
      </section>

      <AlertNotifierPanel />
    </div>
  );
}
