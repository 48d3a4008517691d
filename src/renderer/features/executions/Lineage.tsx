import { useEffect, useRef, useState } from 'react';
import type { CallOutput, ExecutionSummary } from '../../../shared/contract';
import { formatRun, formatRunShort, type InstanceNamer } from '../../../shared/run-identity';
import { api, send } from '../../api/client';
import { shownAsToast } from '../../data/calls';
import { dateTime } from '../instances/format';

const KIND: Record<string, string> = {
  retry: 'retry',
  edited: 'retry with an edited payload',
  bulk: 'bulk retry',
  n8n: "n8n's retry",
};

/** The two lines an operator reads first: what this run retried, and what retried it. */
export function LineageLines({
  execution: e,
  instanceName,
}: {
  execution: ExecutionSummary;
  instanceName: InstanceNamer;
}) {
  if (!e.retryOfRun && !e.supersededByRun && !e.retryOf) return null;
  return (
    <p className="small" data-testid="execution-lineage">
      {e.retryOfRun ? (
        <span data-testid="lineage-retry-of">
          {KIND[e.retryKind ?? 'retry'] ?? 'retry'} of {formatRun(e.retryOfRun, instanceName)}
        </span>
      ) : (
        e.retryOf && <span data-testid="lineage-retry-of">n8n&apos;s retry of n8n #{e.retryOf} (not kept here)</span>
      )}
      {(e.retryOfRun || e.retryOf) && e.supersededByRun && ' · '}
      {e.supersededByRun && (
        <span data-testid="lineage-retried-as" className="superseded">
          superseded: retried as {formatRun(e.supersededByRun, instanceName)} (
          {e.supersededByRun.status.replace('_', ' ')})
        </span>
      )}
    </p>
  );
}

/** The whole retry chain the run belongs to, first run first; a click opens that run. */
export function LineageChain(props: { id: number; instanceName: InstanceNamer; onSelect(id: number): void }) {
  const [data, setData] = useState<CallOutput<'runs:lineage'> | null>(null);
  // The runs shown, for the live reload: a change to any of them (a retry finishing) redraws the chain.
  const shown = useRef(new Set<number>());
  useEffect(() => {
    const load = () =>
      void send('runs:lineage', { id: props.id }).then((d) => {
        shown.current = new Set(d.chain.map((n) => n.run.id));
        setData(d);
      }, shownAsToast);
    load();
    return api.on('executions:changed', ({ ids }) => {
      if (ids.some((id) => id === props.id || shown.current.has(id))) load();
    });
  }, [props.id]);
  if (!data || data.chain.length < 2) return null;
  return (
    <>
      <h3 className="small">Retry chain</h3>
      <ol className="lineage" data-testid="lineage-chain">
        {data.chain.map((n) => (
          <li
            key={n.run.id}
            style={{ paddingLeft: n.depth * 16 }}
            aria-current={n.run.id === props.id}
            data-testid="lineage-node"
            data-run={formatRunShort(n.run)}
          >
            {n.depth > 0 && '↳ '}
            {n.run.id === props.id ? (
              <span>{formatRun(n.run, props.instanceName)}</span>
            ) : (
              <button type="button" className="link" onClick={() => props.onSelect(n.run.id)}>
                {formatRun(n.run, props.instanceName)}
              </button>
            )}{' '}
            <span className={`status-${n.run.status}`}>{n.run.status.replace('_', ' ')}</span>
            <span className="muted">
              {' '}
              · {n.retryKind ? KIND[n.retryKind] : 'first run'}
              {n.payloadEdited && ' (payload edited)'} · {dateTime(n.createdAtMs)}
            </span>
          </li>
        ))}
        {data.truncated && <li className="muted">… more retries not shown</li>}
      </ol>
    </>
  );
}
