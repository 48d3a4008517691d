import { useState } from 'react';
import { TERMINAL_STATUSES, type ExecutionSummary, type RequestPreview } from '../../../shared/contract';
import { send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { LoadError } from '../../components/LoadError';
import { shownAsToast, useCall } from '../../data/calls';
import { formatRun } from '../../../shared/run-identity';
import { dateTime } from '../instances/format';
import { CanButton } from '../../components/Guarded';

/** The recorded request as HTTP, as the mapping preview shows it: the bytes n8n received. */
function httpText(request: unknown): string {
  const r = request as Partial<RequestPreview> | null;
  if (!r || typeof r.url !== 'string' || !r.headers) return JSON.stringify(request, null, 2);
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\n`);
  return `${r.method ?? 'POST'} ${r.url}\n${headers.join('')}\n${r.bodyText ?? JSON.stringify(r.body)}`;
}

/** A local run's request, n8n's answer and every attempt, with the actions that fit its state. */
export function LocalRunPanel({ execution }: { execution: ExecutionSummary }) {
  // Kept fresh by the core's events (executions:changed marks runs: stale): no subscription here.
  const query = useCall('runs:detail', { id: execution.id });
  const detail = query.data ?? null;
  const [editing, setEditing] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'cancel' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const id = execution.id;

  if (query.isError)
    return <LoadError what="this run's request and attempts" error={query.error} retry={() => void query.refetch()} />;
  if (!detail) return null;

  const retry = async (payload?: unknown) => {
    const result = await send('runs:retry', {
      ids: [id],
      dryRun: false,
      ...(payload === undefined ? {} : { payload }),
    });
    const item = result.results?.[0];
    setNotice(
      item?.ok && item.newRun ? `Queued again as ${formatRun(item.newRun)}.` : (item?.message ?? 'Not retried.'),
    );
    setEditing(null);
  };
  const retryEdited = () => {
    try {
      void retry(JSON.parse(editing ?? 'null')).catch(shownAsToast);
    } catch {
      setNotice('The edited payload is not valid JSON.');
    }
  };
  const act = async (channel: 'runs:cancel' | 'runs:requeue') => {
    const [item] = await send(channel, { ids: [id] });
    setNotice(item?.ok ? (channel === 'runs:cancel' ? 'Canceled.' : 'Back in the queue.') : (item?.message ?? ''));
    setConfirm(null);
  };
  const finished = TERMINAL_STATUSES.includes(execution.status);

  return (
    <div className="local-run" data-testid="local-run">
      <div className="toolbar">
        {finished && (
          <CanButton
            channel="runs:retry"
            type="button"
            onClick={() => void retry().catch(shownAsToast)}
            data-testid="run-retry"
          >
            Retry
          </CanButton>
        )}
        {finished && (
          <CanButton
            channel="runs:retry"
            type="button"
            onClick={() => setEditing(JSON.stringify(detail.payload, null, 2))}
            data-testid="run-retry-edit"
          >
            Retry with edited payload…
          </CanButton>
        )}
        {execution.status === 'dead_lettered' && (
          <CanButton
            channel="runs:requeue"
            type="button"
            onClick={() => void act('runs:requeue').catch(shownAsToast)}
            data-testid="run-requeue"
          >
            Requeue
          </CanButton>
        )}
        {['queued', 'retrying'].includes(execution.status) && (
          <CanButton
            channel="runs:cancel"
            type="button"
            className="danger"
            onClick={() => setConfirm('cancel')}
            data-testid="run-cancel"
          >
            Cancel
          </CanButton>
        )}
      </div>
      {execution.unconfirmedAtMs !== null && (
        <p className="small invalid" data-testid="run-unconfirmed">
          Unconfirmed: n8n acknowledged this run but has not shown its execution since; it may never have run (n8n
          restarted?).{' '}
          <CanButton
            channel="runs:retry"
            type="button"
            onClick={() => void retry().catch(shownAsToast)}
            data-testid="run-unconfirmed-retry"
          >
            Send again
          </CanButton>
        </p>
      )}
      {notice && (
        <p role="status" className="small" data-testid="run-notice">
          {notice}
        </p>
      )}
      {editing !== null && (
        <div>
          <textarea
            aria-label="Payload to send"
            rows={8}
            value={editing}
            onChange={(e) => setEditing(e.target.value)}
            data-testid="run-payload"
          />
          <div className="actions">
            <button type="button" className="primary" onClick={retryEdited} data-testid="run-retry-send">
              Send
            </button>
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <h3 className="small">Attempts</h3>
      {detail.job && detail.job.attempts.length > 0 ? (
        <ol className="attempts small" data-testid="run-attempts">
          {detail.job.attempts.map((a) => (
            <li key={a.attempt}>
              <strong>#{a.attempt}</strong> {dateTime(a.startedAtMs)} · {a.outcome}
              {a.httpStatus !== null && <> · HTTP {a.httpStatus}</>}
              {a.error && <div className="invalid">{a.error}</div>}
            </li>
          ))}
          {detail.job.state === 'delayed' && <li className="muted">Next attempt at {dateTime(detail.job.runAtMs)}</li>}
        </ol>
      ) : (
        <p className="small muted">Not sent yet{detail.job ? ` (${detail.job.state})` : ''}.</p>
      )}
      <h3 className="small">Request</h3>
      <pre className="code" data-testid="run-request">
        {httpText(detail.request)}
      </pre>
      {detail.responseExcerpt && (
        <>
          <h3 className="small">n8n answered {detail.responseStatus}</h3>
          <pre className="code">{detail.responseExcerpt}</pre>
        </>
      )}
      {confirm === 'cancel' && (
        <ConfirmDialog
          title="Cancel this run?"
          confirmLabel="Cancel run"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => void act('runs:cancel').catch(shownAsToast)}
        >
          It will not be sent to n8n. You can fire the event again later.
        </ConfirmDialog>
      )}
    </div>
  );
}
