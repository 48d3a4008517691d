import { useEffect, useState } from 'react';
import type { CallOutput, ExecutionFilter, RetryFlag, RunRef } from '../../../shared/contract';
import { formatRun } from '../../../shared/run-identity';
import { api, send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CanButton } from '../../components/Guarded';
import { shownAsToast } from '../../data/calls';
import { useInstanceNamer } from './RunLabel';

type Outcome = CallOutput<'runs:retry'>;
type Target = { ids: number[] } | { filter: ExecutionFilter };

const FLAG_TEXT: Record<RetryFlag, { label: string; tone: 'warn' | 'danger' }> = {
  already_retried: { label: 'retried already', tone: 'warn' },
  webhook_missing: { label: 'will 404', tone: 'danger' },
  payload_edited: { label: 'payload edited since', tone: 'warn' },
  not_finished: { label: 'not finished', tone: 'danger' },
  cannot_retry: { label: 'cannot retry', tone: 'danger' },
};

const OUTCOME_TEXT: Record<NonNullable<Outcome['results']>[number]['outcome'], string> = {
  queued: 'queued again',
  retried: 'retried by n8n',
  skipped: 'skipped',
  refused: 'refused',
};

/**
 * Bulk retry of the selection or of everything matching the filter: a dry run first (per mapping
 * and workflow, with the runs that deserve a second look), then the retry with each item, its new
 * run and that run's outcome as it happens.
 */
export function BulkRetry(props: { selected: number[]; filter: ExecutionFilter; onDone(): void }) {
  const namer = useInstanceNamer();
  const [plan, setPlan] = useState<{ target: Target; preview: Outcome['preview']; skipRetried: boolean } | null>(null);
  const [result, setResult] = useState<Outcome['results']>(null);
  // Live status of the new runs: refreshed as they change.
  const [live, setLive] = useState<Map<number, RunRef>>(new Map());
  // The box follows the click at once; the dry run it asks for arrives a moment later.
  const [skip, setSkip] = useState(false);

  const dryRun = async (target: Target, skipRetried: boolean) => {
    const dry = await send('runs:retry', { ...target, dryRun: true, skipRetried });
    setPlan({ target, preview: dry.preview, skipRetried });
  };
  const start = async (target: Target) => {
    setResult(null);
    setSkip(false);
    await dryRun(target, false);
  };
  const run = async () => {
    if (!plan) return;
    const { target, skipRetried } = plan;
    setPlan(null);
    const done = await send('runs:retry', { ...target, dryRun: false, skipRetried });
    setLive(new Map());
    setResult(done.results);
    props.onDone();
  };

  const newIds = (result ?? []).flatMap((r) => (r.newRun ? [r.newRun.id] : []));
  const key = newIds.join(',');
  useEffect(() => {
    if (newIds.length === 0) return;
    const wanted = new Set(newIds);
    const refresh = () =>
      void send('runs:refs', { ids: newIds.slice(0, 1000) }).then(
        (refs) => setLive(new Map(refs.map((r) => [r.id, r]))),
        shownAsToast,
      );
    refresh();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = api.on('executions:changed', ({ ids }) => {
      if (ids.some((id) => wanted.has(id))) timer ??= setTimeout(() => ((timer = undefined), refresh()), 100);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
    // newIds is derived from `result`; `key` names it, so the effect runs once per result.
  }, [key]);

  const counts = (result ?? []).reduce<Record<string, number>>(
    (acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }),
    {},
  );
  const alreadyRetried = plan?.preview.byTarget.reduce((n, t) => n + t.alreadyRetried, 0) ?? 0;

  return (
    <>
      <CanButton
        channel="runs:retry"
        type="button"
        disabled={props.selected.length === 0}
        onClick={() => void start({ ids: props.selected }).catch(shownAsToast)}
        data-testid="bulk-retry-selected"
      >
        Retry selected ({props.selected.length})
      </CanButton>
      <CanButton
        channel="runs:retry"
        type="button"
        onClick={() => void start({ filter: props.filter }).catch(shownAsToast)}
        data-testid="bulk-retry-filter"
      >
        Retry all matching…
      </CanButton>
      {result && (
        <div className="panel bulk-result" role="status" data-testid="bulk-result">
          <p className="small">
            {Object.entries(counts)
              .map(([outcome, n]) => `${n} ${OUTCOME_TEXT[outcome as keyof typeof OUTCOME_TEXT]}`)
              .join(', ')}
            <button type="button" className="link" onClick={() => setResult(null)} aria-label="Close results">
              {' '}
              ×
            </button>
          </p>
          <table className="table bulk-table" data-testid="bulk-result-items">
            <thead>
              <tr>
                <th>Run</th>
                <th>Outcome</th>
                <th>New run</th>
                <th>Its status</th>
              </tr>
            </thead>
            <tbody>
              {result.map((r) => {
                const now = r.newRun ? (live.get(r.newRun.id) ?? r.newRun) : null;
                return (
                  <tr key={r.id} data-testid="bulk-result-item">
                    <td>{r.run ? formatRun(r.run, namer) : `FD-${r.id}`}</td>
                    <td className={r.ok ? '' : 'muted'} title={r.message ?? ''}>
                      {OUTCOME_TEXT[r.outcome]}
                      {r.message && <small className="muted"> · {r.message}</small>}
                    </td>
                    <td data-testid="bulk-result-new">{now ? formatRun(now, namer) : '—'}</td>
                    <td className={now ? `status-${now.status}` : ''} data-testid="bulk-result-status">
                      {now ? now.status.replace('_', ' ') : ''}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {plan && (
        <ConfirmDialog
          title={`Retry ${plan.preview.count} run${plan.preview.count === 1 ? '' : 's'}?`}
          confirmLabel={`Retry ${plan.preview.count}`}
          onCancel={() => setPlan(null)}
          onConfirm={() => void run().catch(shownAsToast)}
        >
          <table className="table bulk-table" data-testid="bulk-preview">
            <thead>
              <tr>
                <th>Runs</th>
                <th>Mapping → workflow</th>
                <th>How</th>
                <th>Warnings</th>
              </tr>
            </thead>
            <tbody>
              {plan.preview.byTarget.map((t) => (
                <tr key={`${t.source}|${t.instanceId}|${t.workflowId}|${t.mappingId}`} data-testid="bulk-preview-group">
                  <td>{t.count}</td>
                  <td>
                    {t.mappingName ? <>{t.mappingName} → </> : null}
                    {t.workflowName ?? (t.workflowId ? `workflow ${t.workflowId}` : 'workflow not synced yet')}
                    {t.instanceName && <span className="muted"> on {t.instanceName}</span>}
                  </td>
                  <td>{t.source === 'local' ? 'sent again' : 'retried by n8n, one at a time'}</td>
                  <td>
                    {t.alreadyRetried > 0 && <span className="flag flag-warn">{t.alreadyRetried} retried already</span>}
                    {t.webhookMissing > 0 && <span className="flag flag-danger">{t.webhookMissing} will 404</span>}
                    {t.payloadEdited > 0 && (
                      <span className="flag flag-warn">{t.payloadEdited} payload edited since</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {plan.preview.flaggedTotal > 0 && (
            <>
              <p className="small">
                {plan.preview.flaggedTotal} run{plan.preview.flaggedTotal === 1 ? '' : 's'} to look at:
              </p>
              <ul className="small" data-testid="bulk-flagged">
                {plan.preview.flagged.map((f) => (
                  <li key={f.run.id} data-testid="bulk-flagged-run">
                    {f.flags.map((flag) => (
                      <span key={flag} className={`flag flag-${FLAG_TEXT[flag].tone}`}>
                        {FLAG_TEXT[flag].label}
                      </span>
                    ))}
                    {f.message}
                  </li>
                ))}
                {plan.preview.flaggedTotal > plan.preview.flagged.length && (
                  <li className="muted">… and {plan.preview.flaggedTotal - plan.preview.flagged.length} more</li>
                )}
              </ul>
            </>
          )}
          {(alreadyRetried > 0 || plan.skipRetried || skip) && (
            <label className="small">
              <input
                type="checkbox"
                checked={skip}
                onChange={(e) => {
                  setSkip(e.target.checked);
                  void dryRun(plan.target, e.target.checked).catch(shownAsToast);
                }}
                data-testid="bulk-skip-retried"
              />{' '}
              Skip runs retried already{plan.skipRetried ? ` (${plan.preview.skipped} skipped)` : ''}
            </label>
          )}
          <p className="small muted">
            Queued retries respect each mapping&apos;s and instance&apos;s rate and concurrency limits.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
