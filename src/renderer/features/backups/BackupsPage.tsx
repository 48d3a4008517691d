import { useState } from 'react';
import type { BackupFile, RestorePlan } from '../../../shared/contract';
import { sendCatch } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { shownAsToast, useCall } from '../../data/calls';
import { downloadBackup, formatBytes } from './backup-files';
import { ExportPanel } from './ExportPanel';
import { RestorePanel } from './RestorePanel';
import { SchedulePanel } from './SchedulePanel';
import { SnapshotsPanel } from './SnapshotsPanel';
import { ProgressBar } from './ProgressBar';
import { CanButton } from '../../components/Guarded';

/** Backups: make one, download it, restore one (validated, previewed), schedule them, n8n snapshots. */
export function BackupsPage() {
  // Kept fresh by backups:changed (data/follow-core.ts).
  const query = useCall('backups:list', {});
  const listing = query.data ?? null;
  const [plan, setPlan] = useState<RestorePlan | null>(null);
  const [download, setDownload] = useState<{ name: string; done: number; total: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const get = async (file: BackupFile) => {
    setDownload({ name: file.name, done: 0, total: file.bytes });
    try {
      await downloadBackup(file.path, file.name, (done, total) => setDownload({ name: file.name, done, total }));
    } finally {
      setDownload(null);
    }
  };

  const inspectListed = async (file: BackupFile) => {
    setProblem(null);
    const passphrase =
      (document.querySelector<HTMLInputElement>('[data-testid="b-restore-passphrase"]')?.value ?? '') || undefined;
    const result = await sendCatch('backups:inspect', {
      source: { kind: 'file', path: file.path },
      ...(passphrase ? { passphrase } : {}),
    });
    if (result.ok) setPlan(result.data);
    else setProblem(result.error.message);
  };

  return (
    <section className="page">
      <h1>Backups</h1>
      <ExportPanel onDone={() => void query.refetch()} />
      <h2>Backup files</h2>
      {download && (
        <ProgressBar
          label={`Downloading ${download.name}`}
          done={download.done}
          total={download.total}
          testId="b-download-progress"
        />
      )}
      {problem && (
        <p className="invalid" role="alert" data-testid="b-listed-problem">
          Refused, nothing changed: {problem}
        </p>
      )}
      {query.isError ? (
        <LoadError what="the backup files" error={query.error} retry={() => void query.refetch()} />
      ) : listing === null ? (
        <p className="muted">Loading…</p>
      ) : listing.files.length === 0 ? (
        <EmptyState title="No backups yet">
          One-file backups of everything local (and the workflows of each n8n instance) are kept in{' '}
          <code>{listing.folder}</code>. Make one above, or restore one from a file below.
        </EmptyState>
      ) : (
        <table className="table" data-testid="b-files">
          <thead>
            <tr>
              <th>File</th>
              <th>Size</th>
              <th>Made</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {listing.files.map((f, i) => (
              <tr key={f.path}>
                <td title={f.path}>
                  {f.name}
                  {f.encrypted ? ' 🔒' : ''}
                </td>
                <td>{formatBytes(f.bytes)}</td>
                <td>{new Date(f.modifiedAtMs).toLocaleString()}</td>
                <td className="row">
                  <CanButton
                    channel="backups:read"
                    type="button"
                    onClick={() => void get(f).catch(shownAsToast)}
                    data-testid={`b-download-${i}`}
                  >
                    Download
                  </CanButton>
                  <CanButton
                    channel="backups:inspect"
                    type="button"
                    onClick={() => void inspectListed(f).catch(shownAsToast)}
                    data-testid={`b-inspect-${i}`}
                  >
                    Restore…
                  </CanButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RestorePanel plan={plan} setPlan={setPlan} />
      <SchedulePanel defaultFolder={listing?.folder ?? ''} />
      <SnapshotsPanel />
    </section>
  );
}
