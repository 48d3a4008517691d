import { useEffect, useState } from 'react';
import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CallOutput, GaugeName, MetricsRange } from '../../../shared/contract';
import { api, send } from '../../api/client';
import { formatMs } from './format';

const LABELS: Record<GaugeName, { title: string; source: string }> = {
  queueDepth: { title: 'Queue depth', source: 'the dispatch queue' },
  approvalsPending: { title: 'Approvals pending', source: 'approvals' },
  deadLetters: { title: 'Dead letters', source: 'the dispatch queue' },
};

/** Gauges sampled from other modules; an unwired gauge says so instead of drawing a flat zero. */
export function GaugesPanel(props: { range: MetricsRange; fromMs?: number; toMs?: number }) {
  const { range, fromMs, toMs } = props;
  const [gauges, setGauges] = useState<CallOutput<'metrics:gauges'>['gauges'] | null>(null);
  const [decisions, setDecisions] = useState<CallOutput<'metrics:decisions'> | null>(null);
  useEffect(() => {
    const query = range === 'custom' ? { range, fromMs, toMs } : { range };
    const load = () => {
      send('metrics:gauges', query)
        .then((r) => setGauges(r.gauges))
        .catch(() => undefined);
      send('metrics:decisions', query)
        .then(setDecisions)
        .catch(() => undefined);
    };
    void load();
    return api.on('metrics:updated', () => void load());
  }, [range, fromMs, toMs]);

  if (!gauges) return null;
  return (
    <section className="panel" aria-label="Gauges">
      <h2>Queue and approvals</h2>
      <div className="gauges">
        {gauges.map((g) => (
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
