import { useState } from 'react';
import { TERMINAL_STATUSES, type ExecutionStatus } from '../../../shared/contract';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { useCall } from '../../data/calls';
import { namer as picknamer, usePickerOptions } from '../../components/picker-options';
import { formatRun, formatRunShort } from '../../../shared/run-identity';
import { useInstanceNamer } from '../executions/RunLabel';
import { formatMs, formatTime } from './format';

/** The window and scope of a clicked chart point. */
export interface DrillTarget {
  fromMs: number;
  toMs: number;
  instanceId?: string;
  workflowId?: string;
  mappingId?: string;
}

/** The executions behind a chart point, filterable by status (its own list until the Executions page exists). */
export function DrilldownPanel({ target, onClose }: { target: DrillTarget; onClose(): void }) {
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [withRetried, setWithRetried] = useState(false);
  const namer = useInstanceNamer();
  const names = picknamer(usePickerOptions().options);
  const query = useCall('metrics:drilldown', {
    ...target,
    ...(status ? { statuses: [status] } : {}),
    ...(withRetried ? { includeSuperseded: true } : {}),
    limit: 200,
  });
  const result = query.data ?? null;

  return (
    <section className="panel drilldown" aria-label="Executions behind the point" data-testid="drilldown">
      <header>
        <h2>
          Runs from {formatTime(target.fromMs)} to {formatTime(target.toMs)}
          {target.workflowId ? ` · ${names.workflow(target.instanceId, target.workflowId)}` : ''}
        </h2>
        <select
          aria-label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as ExecutionStatus | '')}
          data-testid="drilldown-status"
        >
          <option value="">Every outcome</option>
          {TERMINAL_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label className="small" title="Runs a retry superseded count as attempts, not as runs">
          <input
            type="checkbox"
            checked={withRetried}
            onChange={(e) => setWithRetried(e.target.checked)}
            data-testid="drilldown-retried"
          />{' '}
          also retried runs
        </label>
        <button type="button" className="link" onClick={onClose} data-testid="drilldown-close">
          Close
        </button>
      </header>
      {query.isError ? (
        <LoadError what="the runs behind this point" error={query.error} retry={() => void query.refetch()} />
      ) : !result ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : result.executions.length === 0 ? (
        <EmptyState title="No runs here">
          No {status || 'finished'} runs were created in this bucket. Pick another point or outcome.
        </EmptyState>
      ) : (
        <>
          <p className="muted" data-testid="drilldown-total">
            {result.total} run{result.total === 1 ? '' : 's'}
            {result.total > result.executions.length ? `, newest ${result.executions.length} shown` : ''}
          </p>
          <table className="table" data-testid="drilldown-table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Workflow</th>
                <th>Created</th>
                <th>Run time</th>
                <th>Queue wait</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {result.executions.map((e) => (
                <tr key={e.id} data-testid="drilldown-row">
                  <td data-testid="drilldown-run">{formatRun(e, namer)}</td>
                  <td className={`status status-${e.status}`}>
                    {e.status.replace('_', ' ')}
                    {e.supersededBy && <small className="muted"> · retried as {formatRunShort(e.supersededBy)}</small>}
                  </td>
                  <td>
                    {e.workflowId ? names.workflow(e.instanceId, e.workflowId) : '—'}
                    {e.instanceId ? <small className="muted"> ({names.instance(e.instanceId)})</small> : null}
                  </td>
                  <td>{formatTime(e.createdAtMs)}</td>
                  <td>{formatMs(e.durationMs)}</td>
                  <td>{formatMs(e.queueWaitMs)}</td>
                  <td className="error-cell">{e.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
