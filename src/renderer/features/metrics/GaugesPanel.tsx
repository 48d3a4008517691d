import { keepPreviousData } from '@tanstack/react-query';
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { GaugeName, MetricsRange } from '../../../shared/contract';
import { LoadError } from '../../components/LoadError';
import { useCall } from '../../data/calls';
import { formatMs } from './format';

const LABELS: Record<GaugeName, { title: string; source: string }> = {
  queueDepth: { title: 'Queue depth', source: 'the dispatch queue' },
  approvalsPending: { title: 'Approvals pending', source: 'approvals' },
  deadLetters: { title: 'Dead letters', source: 'the dispatch queue' },
};

/** Gauges sampled from other modules; an unwired gauge says so instead of drawing a flat zero. */
export function GaugesPanel(props: { range: MetricsRange; fromMs?: number; toMs?: number }) {
  const { range, fromMs, toMs } = props;
  const query = range === 'custom' ? { range, fromMs, toMs } : { range };
  // Kept fresh by `metrics:updated`; the last answer stays while another range loads.
  const gaugesQuery = useCall('metrics:gauges', query, { placeholderData: keepPreviousData });
  const decisionsQuery = useCall('metrics:decisions', query, { placeholderData: keepPreviousData });
  const gauges = gaugesQuery.data?.gauges;
  const decisions = decisionsQuery.data;
  const failed = gaugesQuery.isError ? gaugesQuery : decisionsQuery.isError ? decisionsQuery : null;

  return (
    <section className="panel" aria-label="Gauges">
      <h2>Queue and approvals</h2>
      {failed && (
        <LoadError
          what="the queue and approvals gauges"
          error={failed.error}
          retry={() => {
            void gaugesQuery.refetch();
            void decisionsQuery.refetch();
          }}
        />
      )}
      {!gauges && !failed && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      <div className="gauges">
        {gauges?.map((g) => (
          <div key={g.name} className="gauge" data-testid={`gauge-${g.name}`}>
            <h3>{LABELS[g.name].title}</h3>
            {!g.provided ? (
              <p className="muted">
                Not measured: {LABELS[g.name].source} does not report it to metrics in this build.
              </p>
            ) : g.points.length === 0 ? (
              <p className="muted">No samples in this range yet; one is taken every minute.</p>
            ) : (
              <ResponsiveContainer width="100%" height={80}>
                <LineChart data={g.points}>
                  <XAxis dataKey="tMs" hide />
                  <YAxis width={32} fontSize={10} />
                  <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} />
                  <Line dataKey="value" stroke="var(--accent)" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            )}
          </div>
        ))}
        {decisions && (
          <div className="gauge" data-testid="gauge-decisions">
            <h3>Time to decision</h3>
            {!decisions.provided ? (
              <p className="muted">Not measured: no approvals area reports to metrics in this build.</p>
            ) : decisions.decided === 0 ? (
              <p className="muted">No approval was decided in this range.</p>
            ) : (
              <p>
                p50 {formatMs(decisions.p50Ms)} · p95 {formatMs(decisions.p95Ms)} · longest {formatMs(decisions.maxMs)}
                <span className="muted"> ({decisions.decided} decided)</span>
              </p>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
