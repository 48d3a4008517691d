import { useCallback, useEffect, useState } from 'react';
import {
  alertRuleInputSchema,
  type Alert,
  type AlertCondition,
  type AlertKind,
  type AlertRule,
} from '../../../shared/contract';
import { api, send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { formatTime } from './format';
import { notificationsSupported } from './notifications';
import { CanButton } from '../../components/Guarded';

const KINDS: { value: AlertKind; label: string }[] = [
  { value: 'error_rate', label: 'Error rate above X% over a window' },
  { value: 'p95_duration', label: 'p95 run time above a threshold' },
  { value: 'instance_down', label: 'Instance down' },
  { value: 'queue_depth', label: 'Queue depth above N' },
  { value: 'dead_letter_growth', label: 'Dead letters grow by more than N' },
];

/** The editor's fields as typed text; turned into a condition on save. */
interface Draft {
  name: string;
  kind: AlertKind;
  threshold: string;
  windowMin: string;
  minRuns: string;
  cooldownMin: string;
  instanceId: string;
  workflowId: string;
  enabled: boolean;
}

const EMPTY: Draft = {
  name: '',
  kind: 'error_rate',
  threshold: '10',
  windowMin: '15',
  minRuns: '5',
  cooldownMin: '15',
  instanceId: '',
  workflowId: '',
  enabled: true,
};

function toDraft(rule: AlertRule): Draft {
  const c = rule.condition;
  return {
    name: rule.name,
    kind: c.kind,
    threshold: String(
      c.kind === 'error_rate'
        ? c.thresholdPct
        : c.kind === 'p95_duration'
          ? c.thresholdMs
          : 'threshold' in c
            ? c.threshold
            : '',
    ),
    windowMin: 'windowMs' in c ? String(c.windowMs / 60_000) : '15',
    minRuns: 'minRuns' in c ? String(c.minRuns) : '1',
    cooldownMin: String(rule.cooldownMs / 60_000),
    instanceId: rule.instanceId ?? '',
    workflowId: rule.workflowId ?? '',
    enabled: rule.enabled,
  };
}

function toCondition(d: Draft): AlertCondition | Record<string, unknown> {
  const n = (s: string) => (s.trim() === '' ? NaN : Number(s));
  const windowMs = Math.round(n(d.windowMin) * 60_000);
  switch (d.kind) {
    case 'error_rate':
      return { kind: d.kind, thresholdPct: n(d.threshold), windowMs, minRuns: n(d.minRuns) };
    case 'p95_duration':
      return { kind: d.kind, thresholdMs: n(d.threshold), windowMs, minRuns: n(d.minRuns) };
    case 'instance_down':
      return { kind: d.kind };
    case 'queue_depth':
      return { kind: d.kind, threshold: n(d.threshold) };
    case 'dead_letter_growth':
      return { kind: d.kind, threshold: n(d.threshold), windowMs };
  }
}

const describeRule = (r: AlertRule) => {
  const c = r.condition;
  const win = 'windowMs' in c ? ` over ${c.windowMs / 60_000} min` : '';
  const what =
    c.kind === 'error_rate'
      ? `error rate > ${c.thresholdPct}%${win} (min ${c.minRuns} runs)`
      : c.kind === 'p95_duration'
        ? `p95 > ${c.thresholdMs} ms${win}`
        : c.kind === 'instance_down'
          ? 'instance down'
          : c.kind === 'queue_depth'
            ? `queue depth > ${c.threshold}`
            : `dead letters +${c.threshold}${win}`;
  const scope = r.workflowId ? ` · workflow ${r.workflowId}` : r.instanceId ? ` · instance ${r.instanceId}` : '';
  return what + scope;
};

export function AlertsPanel() {
  const [rules, setRules] = useState<AlertRule[] | null>(null);
  const [history, setHistory] = useState<Alert[] | null>(null);
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft } | null>(null);
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );

  const load = useCallback(async () => {
    const [r, a] = await Promise.all([send('alerts:listRules', {}), send('alerts:list', { limit: 100 })]);
    setRules(r.rules);
    setHistory(a.alerts);
  }, []);
  useEffect(() => {
    void load().catch(() => undefined);
    const offs = [api.on('alerts:fired', () => void load()), api.on('alerts:resolved', () => void load())];
    return () => offs.forEach((off) => off());
  }, [load]);

  const remove = async (rule: AlertRule) => {
    if (!window.confirm(`Delete the alert rule "${rule.name}"? Its open alerts are resolved; the history stays.`))
      return;
    await send('alerts:deleteRule', { id: rule.id }).catch(() => undefined);
    await load().catch(() => undefined);
  };
  const toggle = async (rule: AlertRule) => {
    const { id, createdAtMs: _c, updatedAtMs: _u, ...definition } = rule;
    await send('alerts:updateRule', { id, rule: { ...definition, enabled: !rule.enabled } }).catch(() => undefined);
    await load().catch(() => undefined);
  };

  return (
    <div className="alerts-panel">
      <section className="panel" aria-label="Alert rules">
        <header>
          <h2>Alert rules</h2>
          <CanButton
            channel="alerts:createRule"
            type="button"
            className="primary"
            onClick={() => setEditing({ id: null, draft: EMPTY })}
            data-testid="new-rule"
          >
            New rule
          </CanButton>
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
          {permission === 'denied' && <small className="muted">Notifications are blocked by the browser.</small>}
        </header>
        {editing && (
          <RuleEditor
            initial={editing.draft}
            onCancel={() => setEditing(null)}
            onSave={async (rule) => {
              if (editing.id) await send('alerts:updateRule', { id: editing.id, rule });
              else await send('alerts:createRule', { rule });
              setEditing(null);
              await load();
            }}
          />
        )}
        {rules?.length === 0 && !editing ? (
          <EmptyState title="No alert rules">
            Nothing is watched yet. Add a rule to be notified when the error rate or run time climbs, an instance goes
            down, or the queue backs up.
          </EmptyState>
        ) : (
          <ul className="rule-list" data-testid="rule-list">
            {rules?.map((r) => (
              <li key={r.id} data-testid="rule-row">
                <span className={r.enabled ? '' : 'muted'}>
                  <strong>{r.name}</strong> — {describeRule(r)}
                  {!r.enabled && ' (disabled)'}
                </span>
                <span className="actions">
                  <CanButton channel="alerts:updateRule" type="button" className="link" onClick={() => void toggle(r)}>
                    {r.enabled ? 'Disable' : 'Enable'}
                  </CanButton>
                  <CanButton
                    channel="alerts:updateRule"
                    type="button"
                    className="link"
                    onClick={() => setEditing({ id: r.id, draft: toDraft(r) })}
                  >
                    Edit
                  </CanButton>
                  <CanButton
                    channel="alerts:deleteRule"
                    type="button"
                    className="link danger"
                    onClick={() => void remove(r)}
                    data-testid="delete-rule"
                  >
                    Delete
                  </CanButton>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="panel" aria-label="Alert history">
        <h2>Alert history</h2>
        {history?.length === 0 ? (
          <EmptyState title="No alerts yet">
            No rule has fired. Alerts and their resolve notices will be listed here, newest first.
          </EmptyState>
        ) : (
          <table className="table" data-testid="alert-history">
            <thead>
              <tr>
                <th>State</th>
                <th>Rule</th>
                <th>Subject</th>
                <th>What</th>
                <th>Fired</th>
                <th>Resolved</th>
              </tr>
            </thead>
            <tbody>
              {history?.map((a) => (
                <tr key={a.id} data-testid="alert-row">
                  <td className={`status status-${a.state}`}>{a.state}</td>
                  <td>{a.ruleName}</td>
                  <td>{a.subject}</td>
                  <td>{a.message}</td>
                  <td>{formatTime(a.firedAtMs)}</td>
                  <td>{a.resolvedAtMs ? formatTime(a.resolvedAtMs) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function RuleEditor(props: {
  initial: Draft;
  onCancel(): void;
  onSave(rule: ReturnType<typeof alertRuleInputSchema.parse>): Promise<void>;
}) {
  const [d, setD] = useState(props.initial);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<Draft>) => setD((prev) => ({ ...prev, ...patch }));
  const parsed = alertRuleInputSchema.safeParse({
    name: d.name,
    enabled: d.enabled,
    cooldownMs: Math.round(Number(d.cooldownMin) * 60_000),
    instanceId: d.instanceId.trim() || null,
    workflowId: d.workflowId.trim() || null,
    condition: toCondition(d),
  });
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const hasThreshold = d.kind !== 'instance_down';
  const hasWindow = d.kind === 'error_rate' || d.kind === 'p95_duration' || d.kind === 'dead_letter_growth';

  return (
    <form
      className="form rule-editor"
      data-testid="rule-editor"
      onSubmit={(e) => {
        e.preventDefault();
        if (!parsed.success) return;
        setSaving(true);
        props
          .onSave(parsed.data)
          .catch(() => undefined)
          .finally(() => setSaving(false));
      }}
    >
      <label className="field">
        <span>Name</span>
        <input value={d.name} onChange={(e) => set({ name: e.target.value })} data-testid="rule-name" />
      </label>
      <label className="field">
        <span>Condition</span>
        <select value={d.kind} onChange={(e) => set({ kind: e.target.value as AlertKind })} data-testid="rule-kind">
          {KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      {hasThreshold && (
        <label className="field">
          <span>
            {d.kind === 'error_rate'
              ? 'Threshold (%)'
              : d.kind === 'p95_duration'
                ? 'Threshold (ms)'
                : 'Threshold (count)'}
          </span>
          <input
            type="number"
            value={d.threshold}
            onChange={(e) => set({ threshold: e.target.value })}
            data-testid="rule-threshold"
          />
        </label>
      )}
      {hasWindow && (
        <label className="field">
          <span>Window (minutes)</span>
          <input
            type="number"
            value={d.windowMin}
            onChange={(e) => set({ windowMin: e.target.value })}
            data-testid="rule-window"
          />
        </label>
      )}
      {(d.kind === 'error_rate' || d.kind === 'p95_duration') && (
        <label className="field">
          <span>At least this many runs in the window</span>
          <input
            type="number"
            value={d.minRuns}
            onChange={(e) => set({ minRuns: e.target.value })}
            data-testid="rule-min-runs"
          />
        </label>
      )}
      <label className="field">
        <span>Only instance (optional)</span>
        <input value={d.instanceId} onChange={(e) => set({ instanceId: e.target.value })} />
      </label>
      {d.kind !== 'instance_down' && d.kind !== 'queue_depth' && d.kind !== 'dead_letter_growth' && (
        <label className="field">
          <span>Only workflow (optional)</span>
          <input
            value={d.workflowId}
            onChange={(e) => set({ workflowId: e.target.value })}
            data-testid="rule-workflow"
          />
        </label>
      )}
      <label className="field">
        <span>Quiet after a resolve (minutes)</span>
        <input type="number" value={d.cooldownMin} onChange={(e) => set({ cooldownMin: e.target.value })} />
      </label>
      <label className="radio">
        <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
      </label>
      {problems.length > 0 && (
        <ul className="invalid" data-testid="rule-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={!parsed.success || saving} data-testid="save-rule">
          Save rule
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
