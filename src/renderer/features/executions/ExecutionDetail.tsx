import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { api, send } from '../../api/client';
import { dateTime, duration } from '../instances/format';
import { formatRun } from '../../../shared/run-identity';
import { LineageChain, LineageLines } from './Lineage';
import { LocalRunPanel } from './LocalRunPanel';
import { RunLabel } from './RunLabel';
import { ExecutionCanvas } from '../../components/workflow-canvas/ExecutionCanvas';

/** One execution with its per-node run data (start, duration, items, error) where n8n has it. */
export function ExecutionDetail(props: {
  id: number;
  instanceName: (id: string | null) => string;
  onClose: () => void;
  /** Opens another run (a click in the retry chain). */
  onSelect?: (id: number) => void;
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
  const namer = (id: string | null) => (id === null ? null : props.instanceName(id));

  return (
    <aside className="panel" data-testid="execution-detail" aria-label={`Run ${formatRun(e, namer)}`}>
      <div className="page-head">
        <h2 data-testid="execution-detail-title">
          <RunLabel run={e} instanceName={namer} testId="execution-detail-number" />{' '}
          <span className={`status-${e.status}`}>{e.status.replace('_', ' ')}</span>
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close details">
          ×
        </button>
      </div>
      <p className="small muted">
        {e.workflowName ?? e.workflowId} on {props.instanceName(e.instanceId)} · {e.mode ?? e.source} · started{' '}
        {dateTime(e.startedAtMs)} · took {duration(e.durationMs)}
      </p>
      <LineageLines execution={e} instanceName={namer} />
      {(e.retryOfRun || e.supersededByRun) && (
        <LineageChain id={e.id} instanceName={namer} onSelect={(id) => props.onSelect?.(id)} />
      )}
      {e.error && (
        <p className="invalid small" data-testid="execution-error">
          {e.error}
        </p>
      )}
      {detail.note && e.source === 'remote' && <p className="small muted">{detail.note}</p>}
      {e.source === 'local' && <LocalRunPanel execution={e} />}
      {detail.nodes && e.instanceId && e.workflowId && (
        <ExecutionCanvas instanceId={e.instanceId} workflowId={e.workflowId} nodes={detail.nodes} />
      )}
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
