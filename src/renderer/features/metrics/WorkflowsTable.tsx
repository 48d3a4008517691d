import { Line, LineChart } from 'recharts';
import type { CallOutput } from '../../../shared/contract';
import { formatMs, formatPct } from './format';

type Row = CallOutput<'metrics:workflows'>['workflows'][number];

/** One line per workflow with a sparkline of its runs; clicking scopes the dashboard to it. */
export function WorkflowsTable({
  workflows,
  onPick,
}: {
  workflows: Row[];
  onPick(scope: { instanceId?: string; workflowId: string }): void;
}) {
  return (
    <section className="panel" aria-label="Workflows">
      <h2>Workflows</h2>
      <table className="table" data-testid="workflows-table">
        <thead>
          <tr>
            <th>Workflow</th>
            <th>Runs</th>
            <th>Error rate</th>
            <th>p95</th>
            <th>Runs over time</th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((w) => (
            <tr key={`${w.instanceId}/${w.workflowId}`} data-testid={`workflow-row-${w.workflowId}`}>
              <td>
                {w.workflowId ? (
                  <button
                    type="button"
                    className="link"
                    title={w.workflowId}
                    onClick={() =>
                      onPick({ ...(w.instanceId ? { instanceId: w.instanceId } : {}), workflowId: w.workflowId })
                    }
                  >
                    {w.workflowName ?? w.workflowId}
                  </button>
                ) : (
                  // Runs without a workflow (refused before dispatch): nothing to scope to.
                  <span className="muted">(no workflow)</span>
                )}
                {w.instanceId && (
                  <small className="muted" title={w.instanceId}>
                    {' '}
                    {w.instanceName ?? w.instanceId}
                  </small>
                )}
              </td>
              <td>{w.summary.total}</td>
              <td>{formatPct(w.summary.errorRate)}</td>
              <td>{formatMs(w.summary.p95Ms)}</td>
              <td>
                <LineChart width={140} height={28} data={w.spark.map((n, i) => ({ i, n }))} aria-label="sparkline">
                  <Line type="monotone" dataKey="n" stroke="var(--accent)" dot={false} isAnimationActive={false} />
                </LineChart>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
