import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import {
  AUDIT_NEWEST_FIRST,
  auditOrderSchema,
  type AuditEntry,
  type AuditOrder,
  type AuditOrderBy,
} from '../../../shared/contract';
import { send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { callKey, callOrThrow, shownAsToast, useAction, useCall } from '../../data/calls';
import { DataTable, DetailSplit, detailFacts, type DataColumn } from '../../components/DataTable';
import { useRemembered } from '../../components/DataTable.storage';
import { useNav, useRouteItem } from '../../stores/nav-store';
import type { SortingState } from '@tanstack/react-table';
import { downloadText } from '../../files';
import { targetText } from './target-text';

/** What entries are about, known before any is recorded; the log adds whatever else it holds. */
const KNOWN_TARGETS = [
  'alert_rule',
  'approval',
  'approval_rule',
  'backup',
  'draft',
  'event',
  'execution',
  'instance',
  'mapping',
  'schedule',
  'settings',
  'workflow',
];

const when = (ms: number) => new Date(ms).toLocaleString();

/** Which header sorts by what: the core sorts and pages the whole log (Why and Hash do not sort). */
const ORDER_OF_COLUMN: Record<string, AuditOrderBy> = { when: 'time', who: 'actor', what: 'action', target: 'target' };
const columnOf = (by: AuditOrderBy) => Object.keys(ORDER_OF_COLUMN).find((c) => ORDER_OF_COLUMN[c] === by) ?? 'when';

const AUDIT_COLUMNS: DataColumn<AuditEntry>[] = [
  {
    id: 'when',
    header: 'When',
    accessorFn: (e) => e.atMs,
    // Wide enough for a whole local date and time ("11/28/2026, 7:57:40 PM").
    size: 205,
    sortDescFirst: true,
    cell: ({ row }) => when(row.original.atMs),
  },
  { id: 'who', header: 'Who', accessorFn: (e) => e.actor, size: 130 },
  {
    id: 'what',
    header: 'What',
    accessorFn: (e) => e.action,
    size: 190,
    cell: ({ row }) => <code>{row.original.action}</code>,
  },
  {
    id: 'target',
    header: 'Target',
    accessorFn: (e) => targetText(e),
    size: 230,
    cell: ({ row }) => <span data-testid="audit-target">{targetText(row.original)}</span>,
  },
  {
    id: 'why',
    header: 'Why',
    accessorFn: (e) => e.reason ?? '',
    size: 320,
    enableSorting: false,
    cell: ({ row }) => <span title={row.original.reason ?? undefined}>{row.original.reason ?? ''}</span>,
  },
  {
    id: 'hash',
    header: 'Hash',
    accessorFn: (e) => e.hash,
    size: 140,
    enableSorting: false,
    cell: ({ row }) => <code title={row.original.hash}>{row.original.hash.slice(0, 12)}</code>,
  },
];

/**
 * The entry a URL names: from the pages loaded, or (an older one, or one the filters hide) read
 * on its own: the newest entry at or before that id is the entry itself.
 */
function OpenEntry({ id, loaded, onClose }: { id: number; loaded: AuditEntry | null; onClose(): void }) {
  const single = useCall('audit:list', { beforeId: id + 1, limit: 1 }, { enabled: loaded === null });
  if (loaded) return <AuditEntryDetail entry={loaded} onClose={onClose} />;
  if (single.isError)
    return <LoadError what={`audit entry #${id}`} error={single.error} retry={() => void single.refetch()} />;
  const entry = single.data?.entries[0];
  if (!single.data) return <p className="muted">Loading entry #{id}…</p>;
  if (!entry || entry.id !== id)
    return (
      <p className="muted" data-testid="audit-detail-missing">
        There is no audit entry #{id}.
      </p>
    );
  return <AuditEntryDetail entry={entry} onClose={onClose} />;
}

/** One entry in full: who, what, why, its details and its place in the chain. */
function AuditEntryDetail({ entry, onClose }: { entry: AuditEntry; onClose(): void }) {
  return (
    <aside className="panel" aria-label={`Audit entry ${entry.id}`} data-testid="audit-detail">
      <div className="page-head">
        <h2>
          <code>{entry.action}</code>
        </h2>
        <button type="button" onClick={onClose} aria-label="Close the entry">
          ×
        </button>
      </div>
      <dl className={detailFacts}>
        <dt>When</dt>
        <dd>{when(entry.atMs)}</dd>
        <dt>Who</dt>
        <dd>{entry.actor}</dd>
        <dt>About</dt>
        <dd>
          {targetText(entry)}
          {entry.targetId && <span className="muted"> (id {entry.targetId})</span>}
        </dd>
        {entry.reason && (
          <>
            <dt>Why</dt>
            <dd>{entry.reason}</dd>
          </>
        )}
        <dt>Entry</dt>
        <dd>
          #{entry.id} · hash <code>{entry.hash}</code>
        </dd>
      </dl>
      <h3>Details</h3>
      {Object.keys(entry.details).length === 0 ? (
        <p className="muted small">No details recorded.</p>
      ) : (
        <pre className="small" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="audit-details">
          {JSON.stringify(entry.details, null, 2)}
        </pre>
      )}
    </aside>
  );
}

/**
 * The hash-chained audit log: newest first or sorted by a header (the core sorts the whole log),
 * filtered by target, action and person, exported as JSON, its chain verified.
 */
export function AuditView() {
  // #/audit/<entry id> opens an entry; #/audit/<target type> (e.g. `approval`) opens the log filtered to it.
  const route = useRouteItem('audit');
  const go = useNav((s) => s.go);
  const segment = route?.[0] ?? '';
  const openId = /^[1-9]\d{0,14}$/.test(segment) ? Number(segment) : null;
  const [targetType, setTargetType] = useState(() => (segment && openId === null ? segment.slice(0, 50) : ''));
  // The order is the core's (keyset pages over the whole log), remembered between sessions.
  const [remembered, setOrder] = useRemembered<AuditOrder>('audit.order', AUDIT_NEWEST_FIRST);
  const order = auditOrderSchema.safeParse(remembered).success ? remembered : AUDIT_NEWEST_FIRST;
  const sorting: SortingState = [{ id: columnOf(order.by), desc: order.direction === 'desc' }];
  const onSorting = (next: SortingState) => {
    const first = next[0];
    const by = first ? ORDER_OF_COLUMN[first.id] : undefined;
    setOrder(by ? { by, direction: first?.desc ? 'desc' : 'asc' } : AUDIT_NEWEST_FIRST);
  };
  const [action, setAction] = useState('');
  // Team mode names each person: the entries of one of them (a user name, `system`, `rule:<id>`).
  const [actor, setActor] = useState('');
  const who = actor.trim();
  const [exporting, setExporting] = useState<number | null>(null);
  const filter = {
    ...(targetType ? { targetType } : {}),
    ...(action ? { action } : {}),
    ...(who ? { actor: who } : {}),
  };
  // Pages of one query: a new entry (audit:appended invalidates `audit:`) refetches the pages shown.
  const query = useInfiniteQuery({
    queryKey: callKey('audit:list', { ...filter, order }),
    queryFn: ({ pageParam }: { pageParam: string | null }) =>
      callOrThrow('audit:list', { limit: 100, ...filter, order, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
  const kinds = useCall('audit:kinds', {});
  const verify = useAction('audit:verify');
  const entries = query.data?.pages.flatMap((page) => page.entries) ?? null;
  const targets = [...new Set([...KNOWN_TARGETS, ...(kinds.data?.targetTypes ?? [])])].sort();
  const actions = kinds.data?.actions ?? [];
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const nearEnd = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const loadedEntry = openId === null ? null : (entries?.find((e) => e.id === openId) ?? null);

  /** Pages through the whole log (500 at a time, progress shown), then downloads it with its verification. */
  const exportAll = async () => {
    const all: AuditEntry[] = [];
    let beforeId: number | undefined;
    setExporting(0);
    try {
      for (;;) {
        const page = await send('audit:list', { limit: 500, ...(beforeId ? { beforeId } : {}) });
        all.push(...page.entries);
        setExporting(all.length);
        if (page.nextBeforeId === null) break;
        beforeId = page.nextBeforeId;
      }
      const check = await send('audit:verify', {});
      const stamp = new Date().toISOString().slice(0, 10);
      downloadText(
        `flightdeck-audit-${stamp}.json`,
        JSON.stringify(
          { kind: 'flightdeck.audit', exportedAtMs: Date.now(), verify: check, entries: all.reverse() },
          null,
          2,
        ),
      );
    } finally {
      setExporting(null);
    }
  };

  return (
    <>
      <div className="toolbar">
        <select
          aria-label="About"
          value={targetType}
          onChange={(e) => setTargetType(e.target.value)}
          data-testid="audit-target-filter"
        >
          <option value="">About anything</option>
          {targets.map((t) => (
            <option key={t} value={t}>
              {t.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        <select
          aria-label="Action"
          value={action}
          onChange={(e) => setAction(e.target.value)}
          data-testid="audit-action-filter"
        >
          <option value="">Every action</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <input
          type="search"
          aria-label="Who"
          placeholder="Who (user name)"
          maxLength={100}
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          data-testid="audit-actor"
        />
        <button type="button" onClick={() => verify.mutate({})} data-testid="audit-verify">
          Verify chain
        </button>
        <button
          type="button"
          disabled={exporting !== null}
          // send() already put a failed page in the toasts; the button comes back either way.
          onClick={() => void exportAll().catch(shownAsToast)}
          data-testid="audit-export"
        >
          {exporting === null ? 'Export JSON' : `Exporting… ${exporting} entries`}
        </button>
        {verify.data && (
          <span
            role={verify.data.ok ? 'status' : 'alert'}
            className={verify.data.ok ? '' : 'invalid'}
            data-testid="audit-verify-result"
          >
            {verify.data.ok ? '✓ ' : '⚠ Tampering detected: '}
            {verify.data.message}
          </span>
        )}
      </div>
      {query.isError ? (
        <LoadError what="the audit log" error={query.error} retry={() => void query.refetch()} />
      ) : entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <EmptyState title={targetType || action || who ? 'No entry matches' : 'No audit entries'}>
          {targetType || action
            ? 'Choose another target or action.'
            : 'Every operator action and automatic decision will be recorded here.'}
        </EmptyState>
      ) : (
        <DetailSplit
          storageKey="audit"
          detail={openId !== null && <OpenEntry id={openId} loaded={loadedEntry} onClose={() => go('audit')} />}
        >
          <DataTable
            storageKey="audit"
            label="Audit log"
            testId="audit-table"
            columns={AUDIT_COLUMNS}
            data={entries}
            rowId={(e) => String(e.id)}
            openId={openId === null ? null : String(openId)}
            onOpen={(e) => go('audit', e.id)}
            onClose={() => go('audit')}
            onNearEnd={nearEnd}
            serverSort={{ sorting, onChange: onSorting }}
            rowAttributes={(e) => ({ 'data-testid': 'audit-row', 'data-action': e.action })}
            note={
              <span data-testid="audit-count">
                {entries.length.toLocaleString()}
                {query.hasNextPage ? '+' : ''} entries
                {query.isFetchingNextPage && ' · loading more…'}
              </span>
            }
            height="calc(100vh - 280px)"
          />
          {query.hasNextPage && (
            <button
              type="button"
              onClick={() => void query.fetchNextPage()}
              disabled={query.isFetchingNextPage}
              data-testid="audit-older"
            >
              {order.by === 'time' && order.direction === 'desc' ? 'Load older' : 'Load more'}
            </button>
          )}
        </DetailSplit>
      )}
    </>
  );
}
