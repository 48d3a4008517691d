import type { SortingState } from '@tanstack/react-table';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  EXECUTION_STATUSES,
  type CallInput,
  type ExecutionFilter,
  type ExecutionSort,
  type ExecutionStatus,
  type ExecutionSummary,
  type SortDirection,
} from '../../../shared/contract';
import { SEEKABLE_SORTS, sortKeyOf } from '../../../shared/execution-order';
import type { AppError } from '../../../shared/result';
import { api } from '../../api/client';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { Picker, type PickerOption } from '../../components/Picker';
import { eventChoices, mappingChoices } from '../../components/picker-options';
import { callOrThrow, useCall } from '../../data/calls';
import { perFrame } from '../../data/follow-core';
import { mergeLive, type ListWindow } from './live-rows';
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

/** "2026-01-31T10:00" (datetime-local) → epoch ms, or undefined when empty/invalid. */
const toMs = (value: string) => {
  const ms = value ? new Date(value).getTime() : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

interface Order {
  sort: ExecutionSort;
  direction: SortDirection;
}
const NEWEST_FIRST: Order = { sort: 'created', direction: 'desc' };
/** Which header sorts by what on the server (the other columns do not sort: the core cannot page them). */
// The core also sorts by finish time (`sort: 'finished'`); the list shows the duration instead.
const SORT_OF_COLUMN: Record<string, ExecutionSort> = {
  started: 'started',
  duration: 'duration',
  status: 'status',
};
const ORDER_KEY = 'flightdeck.executions.order';
const SORT_LABEL: Record<ExecutionSort, string> = {
  created: 'newest first',
  started: 'by start',
  finished: 'by finish',
  duration: 'by duration',
  status: 'by status',
};

function recallOrder(): Order {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(ORDER_KEY) ?? 'null');
    if (raw && typeof raw === 'object') {
      const { sort, direction } = raw as Partial<Order>;
      if (sort && sort in SORT_LABEL && (direction === 'asc' || direction === 'desc')) return { sort, direction };
    }
  } catch {
    // Another version's value, or storage refused: the default order.
  }
  return NEWEST_FIRST;
}

/** Where the list starts: at the top, at the oldest runs, or at a time (epoch ms). */
type Jump = null | 'oldest' | number;

/** "Event → mapping" as a filter value: `m:<mapping id>` or `e:<event name>`. */
const routeChoices = (options: Parameters<typeof mappingChoices>[0]): PickerOption[] => [
  ...mappingChoices(options).map((o) => ({ ...o, value: `m:${o.value}`, tag: o.tag ?? 'mapping' })),
  ...eventChoices(options).map((o) => ({ ...o, value: `e:${o.value}`, tag: 'event' })),
];

/**
 * Executions across instances: filters, a virtual list sorted and paged by the core (keyset),
 * jumps to a time or to the oldest runs, rows pushed live by the core, and per-node details.
 */
export function ExecutionsPage() {
  const { instances } = useInstanceList();
  const [instanceId, setInstanceId] = useState('');
  const [workflowKey, setWorkflowKey] = useState('');
  const [route, setRoute] = useState('');
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [order, setOrder] = useState<Order>(recallOrder);
  const [jump, setJump] = useState<Jump>(null);
  const [jumpAt, setJumpAt] = useState('');
  const [rows, setRowsState] = useState<ExecutionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const [moreError, setMoreError] = useState<AppError | null>(null);
  const workflows = useCall('workflows:list', instanceId ? { instanceId } : {});
  // The events and mappings to filter by are read while the picker is in use (or a choice needs
  // its name): pickers: goes stale with every run, and the list must not refetch them per run.
  const [routeFocus, setRouteFocus] = useState(false);
  const pickerQuery = useCall('pickers:options', {}, { enabled: routeFocus || route !== '' });
  const picks = { options: pickerQuery.data ?? null, error: pickerQuery.error?.message ?? null };
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
  // What the live push merges into, read outside React's render (a pushed burst is merged once).
  const shown = useRef<ExecutionSummary[]>([]);
  const listWindow = useRef<ListWindow>({ ...NEWEST_FIRST, filter: {}, startKey: null, endKey: null });
  const setRows = (next: ExecutionSummary[]) => {
    shown.current = next;
    setRowsState(next);
  };

  useEffect(() => {
    try {
      localStorage.setItem(ORDER_KEY, JSON.stringify(order));
    } catch {
      // Storage refused: the order is simply not remembered.
    }
  }, [order]);

  const filter = useMemo((): ExecutionFilter => {
    const [wfInstance, wfId] = workflowKey ? workflowKey.split('/') : [];
    const fromMs = toMs(from);
    const toMsValue = toMs(to);
    return {
      ...(instanceId || wfInstance ? { instanceId: instanceId || wfInstance } : {}),
      ...(wfId ? { workflowId: wfId } : {}),
      ...(route.startsWith('m:') ? { mappingId: route.slice(2) } : {}),
      ...(route.startsWith('e:') ? { event: route.slice(2) } : {}),
      ...(status ? { status: [status] } : {}),
      ...(fromMs !== undefined ? { fromMs } : {}),
      ...(toMsValue !== undefined ? { toMs: toMsValue } : {}),
      ...(search.trim() ? { search: search.trim() } : {}),
    };
  }, [instanceId, workflowKey, route, status, from, to, search]);

  const query = useCallback(
    (): CallInput<'executions:list'> => ({
      ...filter,
      limit: PAGE,
      sort: order.sort,
      direction: order.direction,
      ...(jump !== null ? { seek: jump } : {}),
    }),
    [filter, order, jump],
  );

  const applyView = (f: ExecutionFilter) => {
    setInstanceId(f.instanceId ?? '');
    setWorkflowKey(f.workflowId && f.instanceId ? `${f.instanceId}/${f.workflowId}` : '');
    setRoute(f.mappingId ? `m:${f.mappingId}` : f.event ? `e:${f.event}` : '');
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

  /** Remembers what a page covers, so pushed rows land only where paging would show them. */
  const track = (page: ExecutionSummary[], next: string | null, first: boolean) => {
    const last = page.at(-1);
    listWindow.current = {
      sort: order.sort,
      direction: order.direction,
      filter,
      startKey: first
        ? jump !== null && page[0]
          ? sortKeyOf(page[0], order.sort)
          : null
        : listWindow.current.startKey,
      endKey: next && last ? sortKeyOf(last, order.sort) : null,
    };
  };

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const page = await callOrThrow('executions:list', query());
      if (mine !== generation.current) return;
      track(page.executions, page.nextCursor, true);
      setRows(page.executions);
      setCursor(page.nextCursor);
      setLoaded(true);
      setLoadError(null);
      setMoreError(null);
    } catch (error) {
      if (mine === generation.current) setLoadError(error as AppError);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
    // track reads the same inputs as query (filter, order, jump).
  }, [query]);

  const loadMore = useCallback(async () => {
    if (!cursor || loading || moreError) return;
    const mine = generation.current;
    setLoading(true);
    try {
      const page = await callOrThrow('executions:list', { ...query(), cursor });
      if (mine !== generation.current) return;
      track(page.executions, page.nextCursor, false);
      const known = new Set(shown.current.map((e) => e.id));
      setRows([...shown.current, ...page.executions.filter((e) => !known.has(e.id))]);
      setCursor(page.nextCursor);
    } catch (error) {
      if (mine === generation.current) setMoreError(error as AppError);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [cursor, loading, moreError, query]);

  useEffect(() => void reload(), [reload]);
  // Live: the core pushes the rows behind each change (executions:rows); they are placed by the
  // list's own filter, sort and loaded window, at once or at the next animation frame in a burst.
  // No re-query, no timer. A change without rows (a restore, a bulk change) or a sync pass reloads.
  useEffect(() => {
    const live = perFrame<ExecutionSummary>((batch) => {
      const merged = mergeLive(shown.current, batch, listWindow.current);
      setRows(merged.rows);
      if (merged.rows.length > 0) setLoaded(true);
      if (merged.refetch) void reload();
    });
    let lost = false;
    const offs = [
      api.on('executions:rows', ({ rows: pushed }) => live.push(pushed)),
      api.on('executions:changed', ({ ids }) => {
        if (ids.length === 0) void reload();
      }),
      api.on('executions:synced', () => void reload()),
      // Events sent while the connection was down are lost: read the list again.
      api.onConnection((state) => {
        if (state === 'disconnected') lost = true;
        else if (state === 'connected' && lost) {
          lost = false;
          void reload();
        }
      }),
    ];
    return () => {
      live.dispose();
      offs.forEach((off) => off());
    };
  }, [reload]);

  const nearEnd = useCallback(() => void loadMore(), [loadMore]);

  const sorting: SortingState =
    order.sort === 'created'
      ? []
      : [
          {
            id: Object.keys(SORT_OF_COLUMN).find((c) => SORT_OF_COLUMN[c] === order.sort) ?? order.sort,
            desc: order.direction === 'desc',
          },
        ];
  const onSorting = (next: SortingState) => {
    const first = next[0];
    const sort = first ? SORT_OF_COLUMN[first.id] : undefined;
    const to = sort ? { sort, direction: first?.desc === false ? ('asc' as const) : ('desc' as const) } : NEWEST_FIRST;
    setOrder(to);
    // A jump is a time: it stays only while the order is by time.
    if (!SEEKABLE_SORTS.includes(to.sort)) setJump(null);
  };
  const jumpTo = (target: Jump) => {
    if (target !== null && !SEEKABLE_SORTS.includes(order.sort)) setOrder(NEWEST_FIRST);
    setJump(target);
  };

  const instanceName = (id: string | null) => instances.find((i) => i.id === id)?.name ?? '—';
  const namer = (id: string | null) => instances.find((i) => i.id === id)?.name ?? null;
  const columns = useMemo<DataColumn<ExecutionSummary>[]>(
    () => [
      {
        id: 'select',
        header: '',
        enableSorting: false,
        enableResizing: false,
        size: 36,
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select ${formatRun(row.original, namer)}`}
            checked={checked.has(row.original.id)}
            onChange={() => toggle(row.original.id)}
            onClick={(ev) => ev.stopPropagation()}
            data-testid="execution-check"
          />
        ),
      },
      {
        id: 'run',
        header: 'Run',
        enableSorting: false,
        size: 160,
        cell: ({ row }) => <RunLabel run={row.original} withInstance={false} testId="execution-number" />,
      },
      {
        id: 'workflow',
        header: 'Workflow',
        enableSorting: false,
        size: 150,
        cell: ({ row }) => (
          <span title={row.original.workflowId ?? ''}>
            {row.original.workflowName ?? (row.original.workflowId ? `workflow ${row.original.workflowId}` : '—')}
          </span>
        ),
      },
      {
        id: 'event',
        header: 'Event / mapping',
        enableSorting: false,
        size: 200,
        // Text, not a link: a click anywhere on a row opens the run (its detail links the mapping).
        cell: ({ row }) => {
          const e = row.original;
          if (!e.event && !e.mappingId)
            return (
              <span className="muted" title="Started in n8n, not by an event of this console">
                {e.mode ? `n8n · ${e.mode}` : '—'}
              </span>
            );
          return (
            <span data-testid="execution-event" title={e.mappingId ? `Mapping ${e.mappingId}` : undefined}>
              {e.event ?? '—'}
              {e.mappingId && e.mappingName && e.mappingName !== e.event && (
                <>
                  {' → '}
                  <span data-testid="execution-mapping">{e.mappingName}</span>
                </>
              )}
              {e.mappingId && !e.mappingName && <span className="muted"> · removed mapping</span>}
            </span>
          );
        },
      },
      {
        id: 'instance',
        header: 'Instance',
        enableSorting: false,
        size: 90,
        cell: ({ row }) => instanceName(row.original.instanceId),
      },
      {
        id: 'status',
        header: 'Status',
        // The accessors only make the header sortable: the core sorts (SORT_OF_COLUMN).
        accessorFn: (e) => e.status,
        size: 165,
        sortDescFirst: false,
        cell: ({ row }) => {
          const e = row.original;
          return (
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
          );
        },
      },
      {
        id: 'started',
        header: 'Started',
        accessorFn: (e) => e.startedAtMs ?? e.createdAtMs,
        size: 195,
        sortDescFirst: true,
        cell: ({ row }) => dateTime(row.original.startedAtMs ?? row.original.createdAtMs),
      },
      {
        id: 'duration',
        header: 'Duration',
        accessorFn: (e) => e.durationMs ?? -1,
        size: 90,
        sortDescFirst: true,
        cell: ({ row }) => duration(row.original.durationMs),
      },
    ],
    // Rebuilt when instance names or the checked set change (the cells read both).
    [instances, checked],
  );
  const filtered = Boolean(instanceId || workflowKey || route || status || from || to || search);
  const jumpMs = toMs(jumpAt);

  return (
    <section className="page" aria-labelledby="executions-title">
      <div className="page-head">
        <h1 id="executions-title">Executions</h1>
        <span className="muted small" data-testid="execution-count">
          {rows.length}
          {cursor ? '+' : ''} shown, {SORT_LABEL[order.sort]}
          {order.sort !== 'created' && (order.direction === 'desc' ? ' (high to low)' : ' (low to high)')}
          {jump === 'oldest' && ' · from the oldest'}
          {typeof jump === 'number' && ` · from ${dateTime(jump)}`} {loading && '· loading…'}
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
          {(workflows.data?.workflows ?? []).map((w) => (
            <option key={`${w.instanceId}/${w.id}`} value={`${w.instanceId}/${w.id}`}>
              {w.name}
            </option>
          ))}
        </select>
        <div
          className="execution-route"
          onFocus={() => setRouteFocus(true)}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget)) setRouteFocus(false);
          }}
        >
          <Picker
            label="Event or mapping"
            options={routeChoices(picks.options)}
            value={route || null}
            onChange={(value) => setRoute(value ?? '')}
            clearable="Any event or mapping"
            placeholder="Any event or mapping"
            emptyText="No event or mapping matches"
            testId="execution-route"
          />
        </div>
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
      {workflows.isError && (
        <LoadError what="the workflows to filter by" error={workflows.error} retry={() => void workflows.refetch()} />
      )}
      {picks.error && (
        <p className="small invalid" role="alert" data-testid="execution-route-error">
          Events and mappings to filter by could not be loaded: {picks.error}
        </p>
      )}
      <div className="toolbar">
        <SavedViews current={filter} onApply={applyView} />
        <BulkRetry selected={[...checked]} filter={filter} onDone={() => setChecked(new Set())} />
        <form
          className="row execution-jump"
          aria-label="Jump to a time"
          onSubmit={(e) => {
            e.preventDefault();
            if (jumpMs !== undefined) jumpTo(jumpMs);
          }}
        >
          <label className="small">
            Jump to{' '}
            <input
              type="datetime-local"
              value={jumpAt}
              onChange={(e) => setJumpAt(e.target.value)}
              data-testid="execution-jump-at"
            />
          </label>
          <button type="submit" disabled={jumpMs === undefined} data-testid="execution-jump">
            Go
          </button>
          <button type="button" onClick={() => jumpTo('oldest')} data-testid="execution-jump-oldest">
            Oldest
          </button>
          <button
            type="button"
            onClick={() => (setJump(null), setJumpAt(''))}
            disabled={jump === null}
            data-testid="execution-jump-newest"
          >
            {order.direction === 'asc' && order.sort !== 'created' ? 'Back to the start' : 'Newest'}
          </button>
        </form>
      </div>
      {loadError && <LoadError what="executions" error={loadError} retry={() => void reload()} />}
      {!loadError && loaded && rows.length === 0 && (
        <EmptyState title={filtered || jump !== null ? 'No execution matches' : 'No executions yet'}>
          {filtered || jump !== null
            ? 'Change the filters, the time range or the jump.'
            : 'Runs dispatched from here and runs synced from n8n appear here. Connect an instance and sync it.'}
        </EmptyState>
      )}
      {!loadError && rows.length > 0 && (
        <div className={selected !== null ? 'split' : ''}>
          <div data-testid="execution-list" className="executions-table">
            <DataTable
              // Another filter, order or jump is another list: it starts at its top, not where the last one was scrolled.
              key={JSON.stringify(query())}
              storageKey="executions"
              label="Executions"
              testId="execution"
              columns={columns}
              data={rows}
              rowId={(e) => String(e.id)}
              openId={selected === null ? null : String(selected)}
              onOpen={(e) => setSelected(e.id)}
              onToggle={(e) => toggle(e.id)}
              onNearEnd={nearEnd}
              serverSort={{ sorting, onChange: onSorting }}
              rowAttributes={(e) => ({ 'data-remote-id': e.remoteId ?? '', 'data-run': formatRun(e, namer) })}
              height="calc(100vh - 280px)"
            />
            {moreError && (
              <LoadError what="the next page" error={moreError} retry={() => (setMoreError(null), void 0)} />
            )}
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
