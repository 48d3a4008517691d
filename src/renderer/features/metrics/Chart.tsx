import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartRow } from './Dashboard';
import { downloadText, toCsv } from './csv';

export interface ChartLine {
  key: keyof ChartRow;
  label: string;
  color?: string;
}

const tick = (stepMs: number) => (t: number) => {
  const d = new Date(t);
  return stepMs >= 86_400_000
    ? d.toLocaleDateString()
    : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

/**
 * One time-series chart. Clicking a point (or anywhere over its bucket) opens the executions
 * behind it; the points are also buttons with test ids so the drill-down is reachable in tests.
 */
export function Chart(props: {
  id: string;
  title: string;
  rows: ChartRow[];
  lines: ChartLine[];
  stepMs: number;
  onPoint(tMs: number): void;
}) {
  const { id, title, rows, lines, stepMs, onPoint } = props;
  const exportCsv = () => {
    const header = ['bucket_start_iso', 'bucket_start_ms', 'bucket_ms', ...lines.map((l) => String(l.key))];
    const body = rows.map((r) => [
      new Date(r.tMs).toISOString(),
      r.tMs,
      stepMs,
      ...lines.map((l) => {
        const v = r[l.key];
        return typeof v === 'number' ? v : null;
      }),
    ]);
    downloadText(
      `flightdeck-${id}-${new Date(rows[0]?.tMs ?? Date.now()).toISOString().slice(0, 10)}.csv`,
      toCsv(header, body),
    );
  };
  return (
    <figure className="chart" data-testid={`chart-${id}`}>
      <figcaption>
        <span>{title}</span>
        {lines.length > 1 && (
          // Which line is which: p50 and p95 share one chart.
          <ul className="chart-legend" aria-label="Legend" data-testid={`legend-${id}`}>
            {lines.map((l) => (
              <li key={String(l.key)}>
                <span className="chart-swatch" style={{ background: l.color ?? 'var(--accent)' }} aria-hidden="true" />
                {l.label}
              </li>
            ))}
          </ul>
        )}
        <button type="button" className="link" onClick={exportCsv} data-testid={`export-${id}`}>
          Export CSV
        </button>
      </figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart
          data={rows}
          margin={{ top: 8, right: 12, bottom: 0, left: 0 }}
          onClick={(state) => {
            // recharts 3 reports the index as a string ("10"); the label is the bucket start.
            const index = Number(state?.activeTooltipIndex ?? NaN);
            const row = Number.isInteger(index) ? rows[index] : undefined;
            if (row) onPoint(row.tMs);
          }}
        >
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
          <XAxis dataKey="tMs" tickFormatter={tick(stepMs)} stroke="var(--muted)" fontSize={11} />
          <YAxis stroke="var(--muted)" fontSize={11} width={48} />
          <Tooltip labelFormatter={(t) => new Date(Number(t)).toLocaleString()} />
          {lines.map((l, lineIndex) => (
            <Line
              key={String(l.key)}
              type="monotone"
              dataKey={l.key}
              name={l.label}
              stroke={l.color ?? 'var(--accent)'}
              connectNulls={false}
              isAnimationActive={false}
              dot={(dot: { cx?: number; cy?: number; index?: number; value?: unknown }) => {
                const row = dot.index === undefined ? undefined : rows[dot.index];
                if (!row || dot.cx === undefined || dot.cy === undefined || typeof dot.value !== 'number') {
                  return <g key={`empty-${l.key}-${dot.index}`} />;
                }
                return (
                  <circle
                    key={`${l.key}-${dot.index}`}
                    cx={dot.cx}
                    cy={dot.cy}
                    r={3}
                    fill={l.color ?? 'var(--accent)'}
                    className="chart-point"
                    role="button"
                    aria-label={`${l.label} ${dot.value} at ${new Date(row.tMs).toLocaleString()}`}
                    data-testid={lineIndex === 0 ? `point-${id}-${dot.index}` : undefined}
                    onClick={(e) => {
                      e.stopPropagation();
                      onPoint(row.tMs);
                    }}
                  />
                );
              }}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
