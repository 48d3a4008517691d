import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { AuditEntry } from '../../../shared/contract';
import { send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { LoadError } from '../../components/LoadError';
import { callKey, callOrThrow, useAction, useCall } from '../../data/calls';
import { downloadText } from '../../files';
import { useRouteItem } from '../../stores/nav-store';

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

/**
 * What an entry is about. Runs are named as everywhere else (`FD-29`, `n8n #812 on prod`, recorded
 * with the entry), with the run a retry created: `FD-29 → retried as FD-41`.
 */
function targetText(e: AuditEntry): string {
  const run = typeof e.details.run === 'string' ? e.details.run : null;
  const created = typeof e.details.newRun === 'string' ? e.details.newRun : null;
  if (e.targetType === 'execution' && run) return created ? `${run} → retried as ${created}` : run;
  return `${e.targetType}${e.targetId ? ` #${e.targetId}` : ''}`;
}

/** The hash-chained audit log: newest first, filtered by target and action, exported as JSON, its chain verified. */
export function AuditView() {
  // `#/audit/approval` opens the log filtered to what it is about (the Approvals area links here).
  const [targetType, setTargetType] = useState(useRouteItem('audit')?.[0] ?? '');
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
    queryKey: callKey('audit:list', filter),
    queryFn: ({ pageParam }: { pageParam: number | null }) =>
      callOrThrow('audit:list', { limit: 100, ...filter, ...(pageParam ? { beforeId: pageParam } : {}) }),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.nextBeforeId,
    placeholderData: keepPreviousData,
  });
  const kinds = useCall('audit:kinds', {});
  const verify = useAction('audit:verify');
  const entries = query.data?.pages.flatMap((page) => page.entries) ?? null;
  const targets = [...new Set([...KNOWN_TARGETS, ...(kinds.data?.targetTypes ?? [])])].sort();
  const actions = kinds.data?.actions ?? [];

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
          onClick={() => void exportAll().catch(() => undefined /* send() put the failure in the toasts */)}
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
        <>
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Target</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} title={`hash ${e.hash}`}>
                  <td>{new Date(e.atMs).toLocaleString()}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td data-testid="audit-target">{targetText(e)}</td>
                  <td>{e.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {query.hasNextPage && (
            <button
              type="button"
              onClick={() => void query.fetchNextPage()}
              disabled={query.isFetchingNextPage}
              data-testid="audit-older"
            >
              Load older
            </button>
          )}
        </>
      )}
    </>
  );
}
