import { useMemo, useState } from 'react';
import {
  ALERT_KIND_IDS,
  alertKind,
  alertRuleInputSchema,
  type AlertKind,
  type AlertRule,
  type AlertRuleInput,
} from '../../../shared/contract';
import { useCall } from '../../data/calls';
import styles from './Alerts.module.css';

/** The editor's state: every number as typed (in the field's unit), turned into a rule on save. */
export interface RuleDraft {
  name: string;
  kind: AlertKind;
  values: Record<string, string>;
  cooldownMin: string;
  instanceId: string;
  workflowId: string;
  enabled: boolean;
}

const defaultsOf = (kind: AlertKind): Record<string, string> =>
  Object.fromEntries(alertKind(kind).fields.map((f) => [f.key, String(f.defaultValue)]));

export const emptyDraft = (): RuleDraft => ({
  name: '',
  kind: 'error_rate',
  values: defaultsOf('error_rate'),
  cooldownMin: '15',
  instanceId: '',
  workflowId: '',
  enabled: true,
});

export function draftOf(rule: AlertRule): RuleDraft {
  const { kind, ...params } = rule.condition;
  const stored = params as Record<string, number>;
  return {
    name: rule.name,
    kind,
    values: Object.fromEntries(
      alertKind(kind).fields.map((f) => [f.key, String((stored[f.key] ?? f.defaultValue) / (f.scale ?? 1))]),
    ),
    cooldownMin: String(rule.cooldownMs / 60_000),
    instanceId: rule.instanceId ?? '',
    workflowId: rule.workflowId ?? '',
    enabled: rule.enabled,
  };
}

const number = (text: string) => (text.trim() === '' ? NaN : Number(text));

/** The rule the draft describes (validated by the contract's own schema). */
function parse(d: RuleDraft) {
  const descriptor = alertKind(d.kind);
  const condition: Record<string, unknown> = { kind: d.kind };
  for (const f of descriptor.fields) {
    const typed = number(d.values[f.key] ?? '');
    // Scaled fields are stored in whole milliseconds.
    condition[f.key] = f.scale ? Math.round(typed * f.scale) : typed;
  }
  const scopes = descriptor.scopes;
  return alertRuleInputSchema.safeParse({
    name: d.name,
    enabled: d.enabled,
    cooldownMs: Math.round(number(d.cooldownMin) * 60_000),
    instanceId: scopes.includes('instance') ? d.instanceId || null : null,
    workflowId: scopes.includes('workflow') ? d.workflowId || null : null,
    condition,
  });
}

/** A problem in the operator's words, keyed by the field it belongs to. */
function problemsOf(d: RuleDraft): Map<string, string> {
  const parsed = parse(d);
  const problems = new Map<string, string>();
  if (parsed.success) return problems;
  const fields = alertKind(d.kind).fields;
  for (const issue of parsed.error.issues) {
    const key = String(issue.path.at(-1) ?? '');
    if (problems.has(key)) continue;
    const field = fields.find((f) => f.key === key);
    const scale = field?.scale ?? 1;
    const unit = key === 'cooldownMs' ? 'min' : (field?.unit ?? '');
    const label = key === 'name' ? 'Name' : key === 'cooldownMs' ? 'Quiet period' : (field?.label ?? key);
    const bound = (value: unknown) =>
      `${Number(value) / (key === 'cooldownMs' ? 60_000 : scale)}${unit === '%' ? '' : ' '}${unit}`.trim();
    const raw = issue as { code: string; minimum?: unknown; maximum?: unknown };
    const typed = key === 'cooldownMs' ? d.cooldownMin : (d.values[key] ?? '');
    problems.set(
      key,
      key === 'name'
        ? 'Give the rule a name (at most 120 characters).'
        : Number.isNaN(number(typed))
          ? `${label} needs a number.`
          : raw.code === 'too_small'
            ? `${label} must be at least ${bound(raw.minimum)}.`
            : raw.code === 'too_big'
              ? `${label} must be at most ${bound(raw.maximum)}.`
              : raw.code === 'invalid_type'
                ? `${label} must be a whole number.`
                : `${label}: ${issue.message}`,
    );
  }
  return problems;
}

/**
 * A field's problem, else its hint. The line is always there (at least one line high), so a
 * problem appearing on blur does not move the button the operator is clicking.
 */
function Message({ problem, hint }: { problem?: string | undefined; hint?: string | undefined }) {
  if (problem) return <span className={styles.problem}>{problem}</span>;
  return <span className={styles.hint}>{hint ?? '\u00a0'}</span>;
}

/**
 * Edits one rule. The kind's fields, units and scopes come from its descriptor, so a new kind
 * needs no change here. Problems show once a field was touched, or all of them on save.
 */
export function AlertRuleEditor(props: {
  initial: RuleDraft;
  onCancel(): void;
  onSave(rule: AlertRuleInput): Promise<boolean>;
}) {
  const [d, setD] = useState(props.initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<RuleDraft>) => setD((prev) => ({ ...prev, ...patch }));
  const touch = (key: string) => setTouched((prev) => new Set(prev).add(key));
  const problems = problemsOf(d);
  const shown = (key: string) => (submitted || touched.has(key) ? problems.get(key) : undefined);
  const descriptor = alertKind(d.kind);

  const instances = useCall('instances:list', {});
  const workflows = useCall('workflows:list', { limit: 2000 });
  const dimensions = useCall('metrics:dimensions', {});
  // Synced names first; ids seen only in metrics (an instance removed since) stay pickable.
  const instanceOptions = useMemo(() => {
    const named = (instances.data?.instances ?? []).map((i) => ({ id: i.id, label: i.name }));
    const seen = (dimensions.data?.instances ?? [])
      .filter((id) => !named.some((n) => n.id === id))
      .map((id) => ({ id, label: `${id} (not connected)` }));
    return [...named, ...seen];
  }, [instances.data, dimensions.data]);
  const workflowOptions = useMemo(() => {
    const instanceName = (id: string) => instances.data?.instances.find((i) => i.id === id)?.name ?? id;
    const named = (workflows.data?.workflows ?? [])
      .filter((w) => !d.instanceId || w.instanceId === d.instanceId)
      .map((w) => ({ id: w.id, instanceId: w.instanceId, label: `${w.name} · ${instanceName(w.instanceId)}` }));
    const seen = (dimensions.data?.workflows ?? [])
      .filter((w) => (!d.instanceId || w.instanceId === d.instanceId) && !named.some((n) => n.id === w.workflowId))
      .map((w) => ({ id: w.workflowId, instanceId: w.instanceId, label: `${w.workflowId} (not synced)` }));
    return [...named, ...seen];
  }, [workflows.data, dimensions.data, instances.data, d.instanceId]);

  return (
    <form
      className={styles.form}
      data-testid="rule-editor"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        const parsed = parse(d);
        if (!parsed.success) return;
        setSaving(true);
        void props.onSave(parsed.data).finally(() => setSaving(false));
      }}
    >
      <label className={styles.field}>
        <span>Name</span>
        <input
          value={d.name}
          onChange={(e) => set({ name: e.target.value })}
          onBlur={() => touch('name')}
          placeholder="Orders failing"
          data-testid="rule-name"
        />
        <Message problem={shown('name')} />
      </label>
      <label className={styles.field}>
        <span>Watch</span>
        <select
          value={d.kind}
          onChange={(e) => {
            const kind = e.target.value as AlertKind;
            set({ kind, values: { ...defaultsOf(kind), ...d.values } });
          }}
          data-testid="rule-kind"
        >
          {ALERT_KIND_IDS.map((kind) => (
            <option key={kind} value={kind}>
              {alertKind(kind).label}
            </option>
          ))}
        </select>
      </label>
      {descriptor.fields.map((f) => (
        <label key={f.key} className={styles.field}>
          <span>{f.label}</span>
          <span className={styles.withUnit}>
            <input
              type="number"
              inputMode="decimal"
              value={d.values[f.key] ?? ''}
              onChange={(e) => set({ values: { ...d.values, [f.key]: e.target.value } })}
              onBlur={() => touch(f.key)}
              data-testid={`rule-field-${f.key}`}
            />
            <span className={styles.muted}>{f.unit}</span>
          </span>
          <Message problem={shown(f.key)} hint={f.hint} />
        </label>
      ))}
      {descriptor.scopes.includes('instance') && (
        <label className={styles.field}>
          <span>Instance</span>
          <select
            value={d.instanceId}
            onChange={(e) => set({ instanceId: e.target.value, workflowId: '' })}
            data-testid="rule-instance"
          >
            <option value="">Every instance</option>
            {instanceOptions.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {descriptor.scopes.includes('workflow') && (
        <label className={styles.field}>
          <span>Workflow</span>
          <select
            value={d.workflowId}
            onChange={(e) => {
              const picked = workflowOptions.find((o) => o.id === e.target.value);
              set({
                workflowId: e.target.value,
                ...(picked && !d.instanceId ? { instanceId: picked.instanceId } : {}),
              });
            }}
            data-testid="rule-workflow"
          >
            <option value="">Every workflow</option>
            {workflowOptions.map((o) => (
              <option key={`${o.instanceId}/${o.id}`} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className={styles.field}>
        <span>Quiet after a resolve</span>
        <span className={styles.withUnit}>
          <input
            type="number"
            value={d.cooldownMin}
            onChange={(e) => set({ cooldownMin: e.target.value })}
            onBlur={() => touch('cooldownMs')}
            data-testid="rule-cooldown"
          />
          <span className={styles.muted}>min</span>
        </span>
        <Message problem={shown('cooldownMs')} />
      </label>
      <label className={styles.check}>
        <input type="checkbox" checked={d.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled
      </label>
      <div className={`${styles.actions} ${styles.wide}`}>
        <button type="submit" className={styles.primary} disabled={saving} data-testid="save-rule">
          Save rule
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        {submitted && problems.size > 0 && (
          <span className={styles.problem} role="alert" data-testid="rule-problems">
            {problems.size === 1 ? 'One field needs a fix.' : `${problems.size} fields need a fix.`}
          </span>
        )}
      </div>
    </form>
  );
}
