import { useRef, useState } from 'react';
import type { CallOutput, InstanceRestore, RestoreKeyOutcome, RestorePlan } from '../../../shared/contract';
import { send, sendCatch } from '../../api/client';
import { shownAsToast } from '../../data/calls';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useRestores } from '../../stores/restore-store';
import { uploadBackup } from './backup-files';
import { ProgressBar } from './ProgressBar';
import { useProgress } from './use-progress';
import { CanButton } from '../../components/Guarded';

/**
 * Restore from a picked file: upload, full validation, then a dry-run preview (per table: rows
 * added, changed, removed; per n8n instance: name, address, key, public webhook URL, wait inbox and
 * its other settings). Nothing changes until the operator confirms. After a restore every page
 * reloads (backups:restored); the result is kept in the restore store so it is still shown on the
 * remounted page.
 */
export function RestorePanel({ plan, setPlan }: { plan: RestorePlan | null; setPlan(p: RestorePlan | null): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<{ label: string; done: number; total: number } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [operationId, setOperationId] = useState<string | null>(null);
  const checking = useProgress(operationId);
  const lastResult = useRestores((s) => s.lastResult);

  const check = async (picked: File | null) => {
    if (!picked) return;
    setFile(picked);
    setProblem(null);
    setPlan(null);
    useRestores.setState({ lastResult: null });
    try {
      const uploadId = await uploadBackup(picked, (done, total) => setBusy({ label: 'Reading the file', done, total }));
      setBusy({ label: 'Checking every section', done: 0, total: 0 });
      const operationId = crypto.randomUUID();
      setOperationId(operationId);
      const result = await sendCatch('backups:inspect', {
        operationId,
        source: { kind: 'upload', uploadId },
        ...(passphrase ? { passphrase } : {}),
      });
      if (result.ok) setPlan(result.data);
      else setProblem(result.error.message);
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(null);
      if (input.current) input.current.value = '';
    }
  };

  const apply = async () => {
    if (!plan) return;
    setConfirming(false);
    setBusy({ label: 'Restoring', done: 0, total: 0 });
    try {
      const result = await send('backups:restore', { restoreId: plan.restoreId });
      // Every page (this one too) reloads on backups:restored; the result outlives this component.
      useRestores.setState({ lastResult: result });
      setPlan(null);
    } finally {
      setBusy(null);
    }
  };

  return (
    <fieldset className="editor" data-testid="b-restore-panel">
      <legend>Restore from a file</legend>
      <div className="row">
        <CanButton
          channel="backups:upload"
          type="button"
          onClick={() => input.current?.click()}
          data-testid="b-restore-pick"
        >
          Choose a backup file…
        </CanButton>
        <input
          ref={input}
          type="file"
          accept=".fdbk"
          hidden
          onChange={(e) => void check(e.target.files?.[0] ?? null)}
          data-testid="b-restore-file"
        />
        <label className="row">
          Passphrase
          <input
            type="password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            data-testid="b-restore-passphrase"
            autoComplete="off"
          />
        </label>
        {file && problem && (
          <button type="button" onClick={() => void check(file)} data-testid="b-restore-retry">
            Check again
          </button>
        )}
      </div>
      {busy && (
        <ProgressBar
          label={checking && busy.total === 0 ? `${busy.label}: ${checking.phase}, rows` : busy.label}
          done={checking && busy.total === 0 ? checking.done : busy.done}
          total={busy.total}
          testId="b-restore-progress"
        />
      )}
      {problem && (
        <p className="invalid" role="alert" data-testid="b-restore-problem">
          Refused, nothing changed: {problem}
        </p>
      )}
      {lastResult && !plan && <RestoreResult result={lastResult} />}
      {plan && (
        <RestorePreview
          plan={plan}
          onCancel={() =>
            // A failed discard is a toast (the staged file is swept at the next start); the preview closes.
            void send('backups:discard', { restoreId: plan.restoreId })
              .catch(shownAsToast)
              .finally(() => setPlan(null))
          }
          onRestore={() => setConfirming(true)}
        />
      )}
      {confirming && plan && (
        <ConfirmDialog
          title="Replace local data with this backup?"
          confirmLabel="Restore"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => void apply().catch(shownAsToast)}
        >
          Mappings, instances, schedules, rules and the other data become exactly the backup&apos;s, in one step: if
          anything fails, nothing changes. {plan.audit.sentence}
          {droppedKeys(plan.instances) > 0 &&
            ` ${droppedKeys(plan.instances)} API key(s) will have to be entered again (see the instances above).`}
        </ConfirmDialog>
      )}
    </fieldset>
  );
}

function RestorePreview({ plan, onCancel, onRestore }: { plan: RestorePlan; onCancel(): void; onRestore(): void }) {
  const m = plan.manifest;
  return (
    <div data-testid="b-preview">
      <p data-testid="b-preview-summary">
        Valid backup from {new Date(m.createdAtMs).toLocaleString()} (Flightdeck {m.appVersion}, schema{' '}
        {m.schemaVersion}), {m.secrets === 'encrypted' ? 'encrypted with secrets' : 'without secrets'}; every checksum
        matches.
      </p>
      <h3>What changes</h3>
      {plan.changes.length === 0 ? (
        <p className="muted" data-testid="b-preview-changes">
          No mapping, instance, schedule or rule changes: they are the same in the backup and here.
        </p>
      ) : (
        <ul data-testid="b-preview-changes">
          {plan.changes.map((c) => (
            <li key={`${c.kind}-${c.change}`} data-testid="b-preview-change">
              <strong>{changeWords(c)}</strong>: {c.names.join(', ')}
              {c.count > c.names.length && ` and ${c.count - c.names.length} more`}
            </li>
          ))}
        </ul>
      )}
      <p data-testid="b-preview-audit" className={plan.audit.removed > 0 ? 'invalid' : undefined}>
        <strong>Audit log:</strong> {plan.audit.sentence}
      </p>
      <details>
        <summary>Rows per table</summary>
        <table className="table">
          <thead>
            <tr>
              <th>Table</th>
              <th>Action</th>
              <th>Add</th>
              <th>Change</th>
              <th>Remove</th>
              <th>Unchanged</th>
            </tr>
          </thead>
          <tbody>
            {plan.tables.map((t) => (
              <tr key={t.table} data-testid={`b-preview-${t.table}`}>
                <td>{t.table}</td>
                <td>{t.action}</td>
                <td data-testid={`b-preview-${t.table}-add`}>{t.add}</td>
                <td data-testid={`b-preview-${t.table}-change`}>{t.change}</td>
                <td data-testid={`b-preview-${t.table}-remove`}>{t.remove}</td>
                <td>{t.unchanged}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {plan.instances.length > 0 && <InstancesPreview instances={plan.instances} />}
      {plan.remote.length > 0 && (
        <p className="muted">
          Also holds n8n workflows:{' '}
          {plan.remote
            .map((r) => {
              const i = plan.instances.find((x) => x.instanceId === r.instanceId);
              return `${i?.name.after ?? i?.name.before ?? 'an instance not in this backup'} (${r.workflows})`;
            })
            .join(', ')}
          . They are kept as n8n snapshots, which you can restore into any instance below.
        </p>
      )}
      {plan.warnings.map((w) => (
        <p key={w} className="muted">
          ⚠ {w}
        </p>
      ))}
      <div className="actions">
        <button type="button" onClick={onCancel} data-testid="b-preview-cancel">
          Cancel
        </button>
        <CanButton
          channel="backups:restore"
          type="button"
          className="danger"
          onClick={onRestore}
          data-testid="b-restore"
        >
          Restore…
        </CanButton>
      </div>
    </div>
  );
}

const KEY_LABEL: Record<RestoreKeyOutcome, string> = {
  kept: 'kept',
  restored: 'from the backup',
  dropped: 'dropped: enter it again',
  missing: 'none: enter it',
  unreadable: 'unreadable here: enter it again',
  removed: 'removed',
};

const needsKey = (i: InstanceRestore) => i.apiKey === 'dropped' || i.apiKey === 'unreadable' || i.apiKey === 'missing';
/** "1 mapping comes back", "3 schedules go away". */
function changeWords(c: RestorePlan['changes'][number]): string {
  const one = c.count === 1;
  const verb = {
    'comes back': one ? 'comes back' : 'come back',
    'goes away': one ? 'goes away' : 'go away',
    changes: one ? 'changes' : 'change',
  }[c.change];
  return `${c.count} ${c.kind}${one ? '' : 's'} ${verb}`;
}

const droppedKeys = (instances: InstanceRestore[]) => instances.filter(needsKey).length;

const beforeAfter = (side: { before: string | null; after: string | null }) =>
  side.before === side.after ? (side.after ?? '') : `${side.before ?? '—'} → ${side.after ?? '—'}`;

/** Per n8n instance: what the restore does to its name, address, API key and other settings. */
function InstancesPreview({ instances }: { instances: InstanceRestore[] }) {
  return (
    <>
      <h3>n8n instances</h3>
      <table className="table" data-testid="b-preview-instances">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Action</th>
            <th>Address</th>
            <th>API key</th>
            <th>Other settings</th>
          </tr>
        </thead>
        <tbody>
          {instances.map((i) => (
            <tr key={i.instanceId} data-testid={`b-preview-instance-${i.name.after ?? i.name.before ?? i.instanceId}`}>
              <td>{beforeAfter(i.name)}</td>
              <td data-testid="b-preview-instance-action">{i.action}</td>
              <td data-testid="b-preview-instance-url">{beforeAfter(i.baseUrl)}</td>
              <td data-testid="b-preview-instance-key" data-key={i.apiKey} title={i.note}>
                {needsKey(i) ? <strong className="invalid">{KEY_LABEL[i.apiKey]}</strong> : KEY_LABEL[i.apiKey]}
              </td>
              <td data-testid="b-preview-instance-settings">
                {i.settings.length === 0 ? (
                  <span className="muted">{i.action === 'change' || i.action === 'unchanged' ? 'unchanged' : '—'}</span>
                ) : (
                  i.settings.map((line) => (
                    <div key={line} data-testid="b-preview-instance-setting">
                      {line}
                    </div>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** What the last restore did, with the keys the operator must enter again. */
function RestoreResult({ result }: { result: CallOutput<'backups:restore'> }) {
  return (
    <div data-testid="b-restore-result" role="status">
      <p>
        Restored {result.tables} tables ({result.rows} rows)
        {result.snapshots > 0 ? `, ${result.snapshots} n8n snapshot(s) kept` : ''}. Every page shows the restored data.
      </p>
      {result.warnings.map((w) => (
        <p key={w} className="invalid" data-testid="b-restore-result-warning">
          ⚠ {w}
        </p>
      ))}
    </div>
  );
}
