import { useRef, useState } from 'react';
import type { RestorePlan } from '../../../shared/contract';
import { send, sendCatch } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { uploadBackup } from './backup-files';
import { ProgressBar } from './ProgressBar';
import { useProgress } from './use-progress';

/**
 * Restore from a picked file: upload, full validation, then a dry-run preview (per table: rows
 * added, changed, removed). Nothing changes until the operator confirms.
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

  const check = async (picked: File | null) => {
    if (!picked) return;
    setFile(picked);
    setProblem(null);
    setPlan(null);
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
      await send('backups:restore', { restoreId: plan.restoreId });
      // Every area's cache is stale now: start the console afresh on the restored store.
      window.location.reload();
    } finally {
      setBusy(null);
    }
  };

  return (
    <fieldset className="editor" data-testid="b-restore-panel">
      <legend>Restore from a file</legend>
      <div className="row">
        <button type="button" onClick={() => input.current?.click()} data-testid="b-restore-pick">
          Choose a backup file…
        </button>
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
      {plan && (
        <RestorePreview
          plan={plan}
          onCancel={() => void send('backups:discard', { restoreId: plan.restoreId }).finally(() => setPlan(null))}
          onRestore={() => setConfirming(true)}
        />
      )}
      {confirming && plan && (
        <ConfirmDialog
          title="Replace local data with this backup?"
          confirmLabel="Restore"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={() => void apply().catch(() => undefined)}
        >
          The tables marked “replace” become exactly the backup&apos;s rows, in one step: if anything fails, nothing
          changes.
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
      {plan.remote.length > 0 && (
        <p className="muted">
          Also holds n8n workflows: {plan.remote.map((r) => `${r.instanceId} (${r.workflows})`).join(', ')}. They are
          kept as n8n snapshots, which you can restore into any instance below.
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
        <button type="button" className="danger" onClick={onRestore} data-testid="b-restore">
          Restore…
        </button>
      </div>
    </div>
  );
}
