import { useCallback, useEffect, useMemo, useState } from 'react';
import type {
  CallOutput,
  MetricsPoint,
  MetricsQuery,
  MetricsRange,
  MetricsSeries,
  MetricsSummary,
} from '../../../shared/contract';
import { api, send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { Chart, type ChartLine } from './Chart';
import { DrilldownPanel, type DrillTarget } from './DrilldownPanel';
import { formatMs, formatPct, formatRate, formatSpan, formatTime, toLocalInput } from './format';
import { GaugesPanel } from './GaugesPanel';
import { WorkflowsTable } from './WorkflowsTable';

const RANGES: { value: MetricsRange; label: string }[] = [
  { value: '1h', label: '1 h' },
  { value: '24h', label: '24 h' },
  { value: '7d', label: '7 d' },
  { value: '30d', label: '30 d' },
  { value: 'custom', label: 'Custom' },
];

export interface Scope {
  instanceId?: string;
  workflowId?: string;
  mappingId?: string;
}

interface Loaded {
  summary: MetricsSummary;
  series: MetricsSeries;
  workflows: CallOutput<'metrics:workflows'>['workflows'];
  dimensions: CallOutput<'metrics:dimensions'>;
}

const CHARTS: { id: string; title: string; lines: ChartLine[] }[] = [
  {
    id: 'throughput',
    title: 'Throughput (finished runs and attempts per bucket)',
    lines: [
      { key: 'total', label: 'runs' },
      { key: 'attempts', label: 'attempts', color: 'var(--muted)' },
      { key: 'failedAttempts', label: 'failed attempts', color: 'var(--warn)' },
    ],
  },
  {
    id: 'error-rate',
    title: 'Error rate (%)',
    lines: [{ key: 'errorPct', label: 'error %', color: 'var(--danger)' }],
  },
  {
    id: 'p95',
    title: 'Run time p50 / p95 (ms)',
    lines: [
      { key: 'p50Ms', label: 'p50' },
      { key: 'p95Ms', label: 'p95', color: 'var(--warn)' },
    ],
  },
  {
    id: 'queue-wait',
    title: 'Queue wait vs run time (mean, ms)',
    lines: [
      { key: 'avgQueueWaitMs', label: 'queue wait' },
      { key: 'avgDurationMs', label: 'run time', color: 'var(--ok)' },
    ],
  },
];

/** Chart rows: the contract's points plus the error rate as a percentage. */
export type ChartRow = MetricsPoint & { errorPct: number | null };

export function Dashboard() {
  const [range, setRange] = useState<MetricsRange>('24h');
  const [custom, setCustom] = useState(() => ({
    from: toLocalInput(Date.now() - 86_400_000),
    to: toLocalInput(Date.now()),
  }));
  const [scope, setScope] = useState<Scope>({});
  const [data, setData] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [drill, setDrill] = useState<DrillTarget | null>(null);

  const query = useMemo((): MetricsQuery | null => {
    const base = { ...scope };
    if (range !== 'custom') return { range, ...base };
    const fromMs = new Date(custom.from).getTime();
    const toMs = new Date(custom.to).getTime();
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) return null;
    return { range, fromMs, toMs, ...base };
  }, [range, custom, scope]);

  const load = useCallback(async () => {
    if (!query) return;
    setLoading(true);
    try {
      const { workflowId: _w, mappingId: _m, ...forTable } = query;
      const [summary, series, workflows, dimensions] = await Promise.all([
        send('metrics:summary', query),
        send('metrics:series', query),
        send('metrics:workflows', forTable),
        send('metrics:dimensions', {}),
      ]);
      setData({ summary, series, workflows: workflows.workflows, dimensions });
    } catch {
      // send() already put the error in the tray; keep the last good data on screen.
    } finally {
      setLoading(false);
    }
  }, [query]);

  useEffect(() => void load(), [load]);
  // The core throttles metrics:updated, so following it keeps the charts live without a flood.
  useEffect(() => api.on('metrics:updated', () => void load()), [load]);

  const rows: ChartRow[] = useMemo(
    () => (data?.series.points ?? []).map((p) => ({ ...p, errorPct: p.errorRate === null ? null : p.errorRate * 100 })),
    [data],
  );
  const stepMs = data?.series.stepMs ?? 0;
  const scopeKey = scope.workflowId ? `${scope.instanceId ?? ''}\u0000${scope.workflowId}` : '';

  return (
    <div className="metrics-dashboard" data-testid="metrics-dashboard" aria-busy={loading}>
      <div className="metrics-toolbar">
        <div role="group" aria-label="Range" className="segmented">
          {RANGES.map((r) => (
            <button
              key={r.value}
              type="button"
              aria-pressed={range === r.value}
              onClick={() => setRange(r.value)}
              data-testid={`range-${r.value}`}
            >
              {r.label}
            </button>
          ))}
        </div>
        {range === 'custom' && (
          <span className="custom-range">
            <input
              type="datetime-local"
              aria-label="From"
              value={custom.from}
              onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))}
              data-testid="range-from"
            />
            <input
              type="datetime-local"
              aria-label="To"
              value={custom.to}
              onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))}
              data-testid="range-to"
            />
            {!query && <small className="invalid">The end must be after the start.</small>}
          </span>
        )}
        <select
          aria-label="Workflow"
          value={scopeKey}
          onChange={(e) => {
            const [instanceId, workflowId] = e.target.value.split('\u0000');
            const mapping = scope.mappingId ? { mappingId: scope.mappingId } : {};
            setScope(workflowId ? { ...(instanceId ? { instanceId } : {}), workflowId, ...mapping } : mapping);
          }}
          data-testid="scope-workflow"
        >
          <option value="">All workflows</option>
          {data?.dimensions.workflows.map((w) => (
            <option key={`${w.instanceId}/${w.workflowId}`} value={`${w.instanceId}\u0000${w.workflowId}`}>
              {w.workflowId} {w.instanceId ? `(${w.instanceId})` : ''}
            </option>
          ))}
        </select>
        {(data?.dimensions.mappings.length ?? 0) > 0 && (
          <select
            aria-label="Mapping"
            value={scope.mappingId ?? ''}
            onChange={(e) => {
              const { mappingId: _old, ...rest } = scope;
              setScope(e.target.value ? { ...rest, mappingId: e.target.value } : rest);
            }}
            data-testid="scope-mapping"
          >
            <option value="">All mappings</option>
            {data?.dimensions.mappings.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        )}
        {loading && (
          <span className="muted" role="status">
            Loading…
          </span>
        )}
      </div>

      {data && <SummaryCards summary={data.summary} />}

      {data && data.summary.total === 0 ? (
        <EmptyState title="No finished runs in this range">
          Nothing finished between {formatTime(data.summary.fromMs)} and {formatTime(data.summary.toMs)}
          {scope.workflowId ? ` for workflow ${scope.workflowId}` : ''}. Runs count here once they succeed, fail or are
          canceled — dispatched from Flightdeck or synced from n8n. Try a longer range.
        </EmptyState>
      ) : (
        data && (
          <div className="chart-grid">
            {CHARTS.map((c) => (
              <Chart
                key={c.id}
                id={c.id}
                title={c.title}
                rows={rows}
                lines={c.lines}
                stepMs={stepMs}
                onPoint={(tMs) => setDrill({ fromMs: tMs, toMs: tMs + stepMs, ...scope })}
              />
            ))}
          </div>
        )
      )}

      {drill && <DrilldownPanel target={drill} onClose={() => setDrill(null)} />}
      {data && data.workflows.length > 0 && <WorkflowsTable workflows={data.workflows} onPick={(w) => setScope(w)} />}
      {query && (
        <GaugesPanel range={range} {...(range === 'custom' ? { fromMs: query.fromMs, toMs: query.toMs } : {})} />
      )}
    </div>
  );
}

function SummaryCards({ summary: s }: { summary: MetricsSummary }) {
  const cards = [
    {
      id: 'throughput',
      label: 'Throughput',
      value: formatRate(s.throughputPerHour),
      hint:
        s.coveredFromMs !== null && s.coveredToMs !== null
          ? `${s.total} runs over ${formatSpan(s.coveredToMs - s.coveredFromMs)}`
          : `${s.total} runs`,
    },
    {
      id: 'attempts',
      label: 'Attempts',
      value: String(s.attempts),
      hint: `${s.failedAttempts} failed · ${s.total ? (s.attempts / s.total).toFixed(2) : '—'} per run`,
    },
    { id: 'success', label: 'Success rate', value: formatPct(s.successRate), hint: `${s.succeeded} succeeded` },
    {
      id: 'errors',
      label: 'Error rate',
      value: formatPct(s.errorRate),
      hint: `${s.failed} failed, ${s.deadLettered} dead-lettered runs`,
    },
    { id: 'p50', label: 'p50', value: formatMs(s.p50Ms), hint: `${s.durationCount} timed runs` },
    {
      id: 'p95',
      label: 'p95',
      value: formatMs(s.p95Ms),
      hint: s.exact ? 'exact' : `±${(s.percentileErrorBound * 100).toFixed(1)}%`,
    },
    { id: 'p99', label: 'p99', value: formatMs(s.p99Ms), hint: s.exact ? 'exact' : 'from rollups' },
    {
      id: 'queue-wait',
      label: 'Queue wait vs run time',
      value: `${formatMs(s.avgQueueWaitMs)} / ${formatMs(s.avgDurationMs)}`,
      hint: 'means',
    },
  ];
  return (
    <div className="summary-cards" data-testid="summary-cards">
      {cards.map((c) => (
        <div key={c.id} className="card" data-testid={`card-${c.id}`}>
          <span className="card-label">{c.label}</span>
          <strong className="card-value">{c.value}</strong>
          <small className="muted">{c.hint}</small>
        </div>
      ))}
    </div>
  );
}
