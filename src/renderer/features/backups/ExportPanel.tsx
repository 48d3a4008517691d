import { useState } from 'react';
import { send } from '../../api/client';
import { shownAsToast } from '../../data/calls';
import { ProgressBar } from './ProgressBar';
import { useProgress } from './use-progress';
import { CanButton } from '../../components/Guarded';

/** Makes a backup file: options, an optional passphrase (twice), and a progress bar. */
export function ExportPanel({ onDone }: { onDone(): void }) {
  const [includeExecutions, setIncludeExecutions] = useState(false);
  const [includeRemote, setIncludeRemote] = useState(true);
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [operationId, setOperationId] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const progress = useProgress(operationId);

  const mismatch = passphrase !== again;
  const tooShort = passphrase.length > 0 && passphrase.length < 8;

  const run = async () => {
    const id = crypto.randomUUID();
    setOperationId(id);
    setRunning(true);
    setResult(null);
    try {
      const { file, manifest } = await send('backups:export', {
        includeExecutions,
        includeRemote,
        operationId: id,
        ...(passphrase ? { passphrase } : {}),
      });
      const rows = manifest.sections.reduce((a, s) => a + s.count, 0);
      setResult(
        `${file.name}: ${rows.toLocaleString()} rows in ${manifest.sections.length} sections${manifest.secrets === 'encrypted' ? ', encrypted' : ''}.`,
      );
      setPassphrase('');
      setAgain('');
      onDone();
    } finally {
      setRunning(false);
    }
  };

  return (
    <fieldset className="editor" data-testid="b-export-panel">
      <legend>Make a backup</legend>
      <div className="checks">
        <label>
          <input
            type="checkbox"
            checked={includeExecutions}
            onChange={(e) => setIncludeExecutions(e.target.checked)}
            data-testid="b-include-executions"
          />{' '}
          Execution history (can be large)
        </label>
        <label>
          <input
            type="checkbox"
            checked={includeRemote}
            onChange={(e) => setIncludeRemote(e.target.checked)}
            data-testid="b-include-remote"
          />{' '}
          Workflows pulled from each n8n instance
        </label>
      </div>
      <div className="grid2">
        <label className="field">
          Passphrase (optional: keeps API keys, encrypts the whole file)
          <input
            type="password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            aria-invalid={tooShort}
            data-testid="b-passphrase"
            autoComplete="new-password"
          />
        </label>
        <label className="field">
          Passphrase again
          <input
            type="password"
            value={again}
            onChange={(e) => setAgain(e.target.value)}
            aria-invalid={mismatch}
            data-testid="b-passphrase-again"
            autoComplete="new-password"
          />
        </label>
      </div>
      <p className="muted">
        {passphrase
          ? 'Without this passphrase the backup cannot be restored. Flightdeck does not keep it.'
          : 'Without a passphrase, API keys and other secrets are left out of the file; re-enter them after a restore on another machine.'}
      </p>
      {tooShort && <span className="invalid">Use at least 8 characters.</span>}
      {mismatch && !tooShort && <span className="invalid">The two passphrases differ.</span>}
      <div className="row">
        <CanButton
          channel="backups:export"
          type="button"
          className="primary"
          disabled={running || mismatch || tooShort}
          onClick={() => void run().catch(shownAsToast)}
          data-testid="b-export"
        >
          {running ? 'Backing up…' : 'Back up now'}
        </CanButton>
        {running && (
          <ProgressBar
            label={progress?.phase ?? 'starting'}
            done={progress?.done ?? 0}
            total={progress?.total ?? 0}
            testId="b-progress"
          />
        )}
        {result && <span data-testid="b-export-result">{result}</span>}
      </div>
    </fieldset>
  );
}
