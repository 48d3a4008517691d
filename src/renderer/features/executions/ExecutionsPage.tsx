import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  EXECUTION_STATUSES,
  type CallInput,
  type ExecutionFilter,
  type ExecutionStatus,
  type ExecutionSummary,
  type Workflow,
} from '../../../shared/contract';
import { api, send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { dateTime, duration } from '../instances/format';
import { useInstanceList } from '../instances/instances-store';
import { useNav, useRouteItem } from '../../stores/nav-store';
import { executionItem, executionRowId } from '../../stores/routes';
import { BulkRetry } from './BulkRetry';
import { ExecutionDetail } from './ExecutionDetail';
import { RunLabel } from './RunLabel';
import { SavedViews } from './SavedViews';
import { formatRun, formatRunShort } from '../../../shared/run-identity';
import '../instances/n8n-ui.css';
import './executions.css';

const PAGE = 200;
const ROW_HEIGHT = 34;

/** "2026-01-31T10:00" (datetime-local) → epoch ms, or undefined when empty/invalid. */
const toMs = (value: string) => {
  const ms = value ? new Date(value).getTime() : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

/** Executions across instances: filters, a virtual list paged by cursor, and per-node details. */
export function ExecutionsPage() {
  const { instances } = useInstanceList();
  const [instanceId, setInstanceId] = useState('');
  const [workflowKey, setWorkflowKey] = useState('');
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [rows, setRows] = useState<ExecutionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [workflows, setWorkflows] = useState<Workflow[]>([]);
  // The open run is the URL's (#/executions/FD-29): back/forward, links and notifications open it.
  const selected = executionRowId(useRouteItem('executions')?.[0]);
  const go = useNav((s) => s.go);
  const setSelected = (id: number | null) => {
    const row = rows.find((r) => r.id === id);
    if (id === null) go('executions');
    else go('executions', row ? executionItem(row) : String(id));
  };
  const [search, setSearch] = useState('');
  const [checked, setChecked] = useState<Set<number>>(new Set());
  const generation = useRef(0);

  const query = useCallback((): CallInput<'executions:list'> => {
    const [wfInstance, wfId] = workflowKey ? workflowKey.split('/') : [];
    const fromMs = toMs(from);
    const toMsValue = toMs(to);
    return {
      limit: PAGE,
      ...(instanceId || wfInstance ? { instanceId: instanceId || wfInstance } : {}),
      ...(wfId ? { workflowId: wfId } : {}),
      ...(status ? { status: [status] } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMsValue !== undefined ? { toMs: toMsValue } : {}),
      ...(search.trim() ? { search: search.trim() } : {}),
    };
  }, [instanceId, workflowKey, status, from, to, search]);

  const filterOf = (): ExecutionFilter => {
    const { limit: _limit, ...filter } = query();
    return filter;
  };
  const applyView = (f: ExecutionFilter) => {
    setInstanceId(f.instanceId ?? '');
    setWorkflowKey(f.workflowId && f.instanceId ? `${f.instanceId}/${f.workflowId}` : '');
    setStatus(f.status?.[0] ?? '');
    setSearch(f.search ?? '');
    setFrom('');
    setTo('');
  };
  const toggle = (id: number) =>
    setChecked((c) => {
      const next = new Set(c);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const page = await send('executions:list', query());
      if (mine !== generation.current) return;
      setRows(page.executions);
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch {
      // In the tray.
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [query]);

  const loadMore = useCallback(async () => {
    if (!cursor || loading) return;
    const mine = generation.current;
    setLoading(true);
    try {
      const page = await send('executions:list', { ...query(), cursor });
      if (mine !== generation.current) return;
      setRows((r) => [...r, ...page.executions]);
      setCursor(page.nextCursor);
    } catch {
      // In the tray.
    } finally {
      setLoading(false);
    }
  }, [cursor, loading, query]);

  useEffect(() => void reload(), [reload]);
  // New executions arrive with each sync pass: refresh the first page (the list is newest first).
  useEffect(() => api.on('executions:synced', () => void reload()), [reload]);
  // Live stream of local runs: merge the newest page into what is shown, at most ~20 times a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refreshTop = async () => {
      timer = undefined;
      const page = await send('executions:list', query()).catch(() => null);
      if (!page) return;
      setRows((current) => {
        const fresh = new Map(page.executions.map((e) => [e.id, e]));
        const known = new Set(current.map((e) => e.id));
        const added = page.executions.filter((e) => !known.has(e.id));
        return [...added, ...current.map((e) => fresh.get(e.id) ?? e)];
      });
      setLoaded(true);
    };
    const off = api.on('executions:changed', () => {
      timer ??= setTimeout(() => void refreshTop(), 50);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [query]);
  useEffect(() => {
    void send('workflows:list', instanceId ? { instanceId } : {}).then(
      (r) => setWorkflows(r.workflows),
      () => undefined,
    );
  }, [instanceId]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (lastIndex >= rows.length - 20) void loadMore();
  }, [lastIndex, rows.length, loadMore]);

  const instanceName = (id: string | null) => instances.find((i) => i.id === id)?.name ?? '—';
  const namer = (id: string | null) => instances.find((i) => i.id === id)?.name ?? null;
  const filtered = Boolean(instanceId || workflowKey || status || from || to || search);

  return (
    <section className="page" aria-labelledby="executions-title">
      <div className="page-head">
        <h1 id="executions-title">Executions</h1>
        <span className="muted small" data-testid="execution-count">
          {rows.length}
          {cursor ? '+' : ''} shown {loading && '· loading…'}
        </span>
      </div>
      <div className="filters">
        <input
          type="search"
          placeholder="Search payloads, errors or a run number (FD-29, n8n #812)"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Search"
          data-testid="execution-search"
        />
        <select
          value={instanceId}
          onChange={(e) => (setInstanceId(e.target.value), setWorkflowKey(''))}
          aria-label="Instance"
          data-testid="execution-instance"
        >
          <option value="">All instances</option>
          {instances.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
        <select
          value={workflowKey}
          onChange={(e) => setWorkflowKey(e.target.value)}
          aria-label="Workflow"
          data-testid="execution-workflow"
        >
          <option value="">All workflows</option>
          {workflows.map((w) => (
            <option key={`${w.instanceId}/${w.id}`} value={`${w.instanceId}/${w.id}`}>
              {w.name}
            </option>
          ))}
        </select>
        <select
          value={status}
          onChange={(e) => setStatus(e.target.value as ExecutionStatus | '')}
          aria-label="Status"
          data-testid="execution-status"
        >
          <option value="">Any status</option>
          {EXECUTION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
        <label className="small">
          From{' '}
          <input
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="execution-from"
          />
        </label>
        <label className="small">
          To{' '}
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="execution-to" />
        </label>
      </div>
      <div className="toolbar">
        <SavedViews current={filterOf()} onApply={applyView} />
        <BulkRetry selected={[...checked]} filter={filterOf()} onDone={() => setChecked(new Set())} />
      </div>
      {loaded && rows.length === 0 && (
        <EmptyState title={filtered ? 'No execution matches' : 'No executions yet'}>
          {filtered
            ? 'Change the filters or the time range.'
            : 'Runs dispatched from here and runs synced from n8n appear here. Connect an instance and sync it.'}
        </EmptyState>
      )}
      {rows.length > 0 && (
        <div className={selected !== null ? 'split' : ''}>
          <div className="vlist executions-list" ref={scroller} data-testid="execution-list" role="list">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const e = rows[item.index]!;
                return (
                  <div
                    key={e.id}
                    role="listitem"
                    className="vrow"
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      height: ROW_HEIGHT,
                      transform: `translateY(${item.start}px)`,
                    }}
                    onClick={() => setSelected(e.id)}
                    aria-selected={selected === e.id}
                    data-testid="execution-row"
                    data-remote-id={e.remoteId ?? ''}
                    data-run={formatRun(e, namer)}
                  >
                    <input
                      type="checkbox"
                      aria-label={`Select ${formatRun(e, namer)}`}
                      checked={checked.has(e.id)}
                      onChange={() => toggle(e.id)}
                      onClick={(ev) => ev.stopPropagation()}
                      data-testid="execution-check"
                    />
                    <RunLabel run={e} withInstance={false} testId="execution-number" />
                    <span title={e.workflowName ?? e.workflowId ?? ''}>{e.workflowName ?? e.workflowId ?? '—'}</span>
                    <span>{instanceName(e.instanceId)}</span>
                    <span className={`status-${e.status}`} data-testid="execution-status-cell">
                      {e.status.replace('_', ' ')}
                      {e.unconfirmedAtMs !== null && (
                        <small
                          className="invalid"
                          title="n8n acknowledged this run but never showed it: it may not have run"
                          data-testid="execution-unconfirmed"
                        >
                          {' '}
                          · unconfirmed
                        </small>
                      )}
                      {e.supersededByRun && (
                        <small
                          className="muted superseded"
                          data-testid="execution-superseded"
                          title={`Retried as ${formatRun(e.supersededByRun, namer)} (${e.supersededByRun.status.replace('_', ' ')}): this run counts only as attempts`}
                        >
                          {' '}
                          · retried as {formatRunShort(e.supersededByRun)}
                        </small>
                      )}
                    </span>
                    <span>{dateTime(e.startedAtMs ?? e.createdAtMs)}</span>
                    <span>{duration(e.durationMs)}</span>
                  </div>
                );
              })}
            </div>
          </div>
          {selected !== null && (
            <ExecutionDetail
              key={selected}
              id={selected}
              instanceName={instanceName}
              onClose={() => setSelected(null)}
              onSelect={setSelected}
            />
          )}
        </div>
      )}
    </section>
  );
}
