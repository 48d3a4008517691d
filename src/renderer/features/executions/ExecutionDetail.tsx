import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { api, send } from '../../api/client';
import { dateTime, duration } from '../instances/format';
import { LocalRunPanel } from './LocalRunPanel';

/** One execution with its per-node run data (start, duration, items, error) where n8n has it. */
export function ExecutionDetail(props: {
  id: number;
  instanceName: (id: string | null) => string;
  onClose: () => void;
}) {
  const [detail, setDetail] = useState<CallOutput<'executions:get'> | null>(null);
  useEffect(() => {
    const load = () => void send('executions:get', { id: props.id }).then(setDetail, () => undefined);
    load();
    // Live: a local run moves through queued → dispatching → succeeded/retrying/dead-lettered.
    return api.on('executions:changed', ({ ids }) => ids.includes(props.id) && load());
  }, [props.id]);
  if (!detail) return <div className="panel muted">Loading run data from n8n…</div>;
  const e = detail.execution;

  return (
    <aside className="panel" data-testid="execution-detail" aria-label={`Execution ${e.remoteId ?? e.id}`}>
      <div className="page-head">
        <h2>
          #{e.remoteId ?? e.id} <span className={`status-${e.status}`}>{e.status}</span>
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <p className="small muted">
        {e.workflowName ?? e.workflowId} on {props.instanceName(e.instanceId)} · {e.mode ?? e.source} · started{' '}
        {dateTime(e.startedAtMs)} · took {duration(e.durationMs)}
        {e.retryOf && <> · retry of #{e.retryOf}</>}
      </p>
      {e.error && (
        <p className="invalid small" data-testid="execution-error">
          {e.error}
        </p>
      )}
      {detail.note && e.source === 'remote' && <p className="small muted">{detail.note}</p>}
      {e.source === 'local' && <LocalRunPanel execution={e} />}
      {detail.nodes && (
        <table className="table small" data-testid="execution-nodes">
          <thead>
            <tr>
              <th>Node</th>
              <th>Started</th>
              <th>Took</th>
              <th>Items</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {detail.nodes.map((n) => (
              <tr key={`${n.node}-${n.run}`} data-testid={`node-${n.node}`}>
                <td>
                  {n.node}
                  {n.run > 0 && <span className="muted"> (run {n.run + 1})</span>}
                </td>
                <td>{n.startedAtMs === null ? '—' : new Date(n.startedAtMs).toLocaleTimeString()}</td>
                <td>{duration(n.durationMs)}</td>
                <td>{n.items}</td>
                <td className="invalid">{n.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </aside>
  );
}
