import { useEffect, useRef, useState } from 'react';
import type { TemplateInstallResult, TemplateSummary } from '../../../shared/contract';
import { CanButton, RoleNote } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { Picker } from '../../components/Picker';
import { instanceChoices, usePickerOptions } from '../../components/picker-options';
import { StatusPill } from '../../components/StatusPill';
import { useAction, useCall } from '../../data/calls';
import { useNav, useRouteItem } from '../../stores/nav-store';
import { hashFor } from '../../stores/routes';
import styles from './Templates.module.css';

/**
 * Starter templates: pick a kit, an instance and the few values it needs; check (a dry run) or
 * install. The install is one operation in the core; this page shows its pre-flight and result.
 * The open kit is the URL's: #/templates/<id>.
 */
export function TemplatesPage() {
  return (
    <section className="page" aria-labelledby="templates-title">
      <h1 id="templates-title">Templates</h1>
      <TemplatesBody />
    </section>
  );
}

function TemplatesBody() {
  const query = useCall('templates:list', {});
  const item = useRouteItem('templates');
  const go = useNav((s) => s.go);
  if (query.isError) return <LoadError what="templates" error={query.error} retry={() => void query.refetch()} />;
  const templates = query.data?.templates;
  if (templates === undefined) return <p className="muted">Loading templates…</p>;
  const chosen = templates.find((t) => t.id === item?.[0]) ?? templates[0];
  return (
    <div className={styles.page}>
      <p className="muted">
        A starter kit installs an n8n workflow into the instance you choose, the mapping that routes your event to it
        and, for a report, the schedule that emits it: in one step, undone as a whole if a step fails.
      </p>
      <RoleNote channel="templates:install" doing="installing a template" />
      <div className={styles.split}>
        <ul className={styles.kits} aria-label="Templates">
          {templates.map((t) => (
            <li key={t.id}>
              <button
                type="button"
                className={styles.kit}
                aria-current={t.id === chosen?.id ? 'true' : undefined}
                data-testid={`template-${t.id}`}
                onClick={() => go('templates', t.id)}
              >
                <strong>{t.name}</strong>
                <span className={styles.kitText}>{t.description}</span>
                {t.needsPackage && <span className={styles.kitNeeds}>needs {t.needsPackage}</span>}
              </button>
            </li>
          ))}
        </ul>
        {chosen && <TemplateInstall key={chosen.id} template={chosen} />}
      </div>
    </div>
  );
}

function TemplateInstall({ template }: { template: TemplateSummary }) {
  const { options, error: pickerError } = usePickerOptions();
  const instances = instanceChoices(options);
  const [instanceId, setInstanceId] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(template.fields.map((f) => [f.key, f.default])),
  );
  const [activate, setActivate] = useState(template.activateByDefault);
  const [result, setResult] = useState<TemplateInstallResult | null>(null);
  const install = useAction('templates:install', { quiet: true });
  // The new workflow reaches the Workflows area with the instance's next sync: ask for it now.
  // Quiet: a sync that fails does not undo the install (the instance's card shows why).
  const sync = useAction('instances:syncNow', { quiet: true });

  // One instance: it is the choice.
  useEffect(() => {
    if (instanceId === null && instances.length === 1) setInstanceId(instances[0]!.value);
  }, [instanceId, instances]);

  const run = async (dryRun: boolean) => {
    if (!instanceId) return;
    stale();
    const answer = await install.run({ templateId: template.id, instanceId, values, activate, dryRun });
    if (answer) setResult(answer);
    if (answer?.installed) sync.mutate({ id: instanceId });
  };
  // An answer (or refusal) is about the values it was given: a change puts it away.
  const stale = () => {
    setResult(null);
    install.reset();
  };
  const change = (key: string, value: string) => {
    setValues((prev) => ({ ...prev, [key]: value }));
    stale();
  };

  return (
    <section className={styles.detail} aria-labelledby="template-title" data-testid="template-detail">
      <h2 id="template-title">{template.name}</h2>
      <p>{template.description}</p>
      <p className={styles.chain}>
        <span className="muted">Nodes:</span>
        {template.nodes.map((n) => (
          <span key={n.name} className={styles.node} title={n.type}>
            {n.name}
          </span>
        ))}
      </p>
      <p className="muted">Creates {template.creates.join(', ')}.</p>
      {template.needsPackage && (
        <p className={styles.needs} role="note">
          The workflow uses the Flightdeck node: the instance needs the community package{' '}
          <code>{template.needsPackage}</code> (n8n: Settings → Community nodes → Install). The check below says whether
          it is there.
        </p>
      )}
      <form
        className={styles.form}
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <Picker
          label="Instance"
          options={instances}
          value={instanceId}
          onChange={(v) => {
            setInstanceId(v);
            stale();
          }}
          placeholder="Choose the n8n instance"
          emptyText="No instances: add one under Instances first."
          error={pickerError ?? undefined}
          testId="template-instance"
        />
        {template.fields.map((f) => (
          <label key={f.key} className="field">
            <span>{f.label}</span>
            <input
              value={values[f.key] ?? ''}
              onChange={(e) => change(f.key, e.target.value)}
              spellCheck={false}
              data-testid={`template-field-${f.key}`}
            />
            <small className="muted">{f.help}</small>
          </label>
        ))}
        <label className={styles.check}>
          <input type="checkbox" checked={activate} onChange={(e) => setActivate(e.target.checked)} />
          Make the workflow live in n8n (publish on 2.x, activate on 1.x)
        </label>
        <div className="actions">
          <CanButton
            channel="templates:install"
            disabled={!instanceId || install.isPending}
            onClick={() => void run(true)}
            data-testid="template-check"
          >
            Check
          </CanButton>
          <CanButton
            channel="templates:install"
            className="primary"
            type="submit"
            disabled={!instanceId || install.isPending}
            data-testid="template-install"
          >
            {install.isPending ? 'Working…' : 'Install'}
          </CanButton>
        </div>
      </form>
      {install.error && <InstallError message={install.error.message} />}
      {result && <InstallResult result={result} />}
    </section>
  );
}

function InstallError({ message }: { message: string }) {
  const line = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    line.current?.scrollIntoView({ block: 'nearest' });
  }, [message]);
  return (
    <p ref={line} className={styles.error} role="alert" data-testid="template-error">
      {message}
    </p>
  );
}

function InstallResult({ result }: { result: TemplateInstallResult }) {
  const { preflight, installed } = result;
  // The answer lands below the form: bring it into view, as a person would scroll to it.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
  }, [result]);
  const problems = preflight.workflows.flatMap((w) => w.problems);
  const errors = problems.filter((p) => p.severity === 'error');
  return (
    <div ref={box} className={styles.result} data-testid="template-result" aria-live="polite">
      <p>
        {installed ? (
          <StatusPill tone="ok">installed</StatusPill>
        ) : preflight.ok ? (
          <StatusPill tone="ok">ready to install</StatusPill>
        ) : (
          <StatusPill tone="danger">cannot install</StatusPill>
        )}{' '}
        Checked against n8n {preflight.targetVersion ?? '(version unknown)'}
        {preflight.checkedWith.includes('community-packages') ? ' and its community packages' : ''}.
      </p>
      {errors.length > 0 && (
        <ul>
          {errors.map((p) => (
            <li key={`${p.node}/${p.message}`} className="invalid">
              <code>{p.node}</code>: {p.message}
            </li>
          ))}
        </ul>
      )}
      {result.warnings.length > 0 && (
        <ul className={styles.warnings}>
          {result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {installed && (
        <ul className={styles.links}>
          <li>
            Workflow{' '}
            <a href={hashFor('workflows', result.instanceId, installed.workflow.id)}>{installed.workflow.name}</a>{' '}
            {installed.workflow.active ? '(live)' : '(not live)'}
          </li>
          <li>
            Mapping <a href={hashFor('mappings', installed.mapping.id)}>{installed.mapping.name}</a>:{' '}
            <code>{installed.mapping.event}</code> → <code>/webhook/{installed.mapping.webhookPath}</code>
          </li>
          {installed.schedule && (
            <li>
              Schedule <a href={hashFor('schedules', installed.schedule.id)}>{installed.schedule.name}</a>
            </li>
          )}
        </ul>
      )}
      {result.nextSteps.length > 0 && (
        <>
          <h3>{installed ? 'Next' : preflight.ok ? 'After the install' : 'What to do'}</h3>
          <ul>
            {result.nextSteps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
