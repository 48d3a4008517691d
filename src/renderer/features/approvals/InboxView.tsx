import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Approval, CallOutput, Decision } from '../../../shared/contract';
import { DataTable, type DataColumn } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { Loaded, LoadError } from '../../components/LoadError';
import { namer, usePickerOptions } from '../../components/picker-options';
import { CanButton } from '../../components/Guarded';
import { useAction, useCall } from '../../data/calls';
import { useRouteItem } from '../../stores/nav-store';
import { ApprovalDetailPane } from './ApprovalDetailPane';
import { fieldsLine, waitOrigin } from './ApprovalFields';
import { useApprovals, useInbox } from './approvals-store';
import { DecisionDialog } from './DecisionDialog';
import { priorityLabel, statusText, when } from './format';
import { InboxFilters } from './InboxFilters';

type BulkResult = CallOutput<'approvals:decideMany'>;
const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && t.closest('input, textarea, select, dialog, [contenteditable]') !== null;

/** Items that expired without a decision (also while the app was closed), until acknowledged. */
function ExpiredNotice() {
  const notice = useCall('approvals:expiredNotice', {});
  const dismiss = useAction('approvals:acknowledgeExpired');
  if (notice.isError)
    return <LoadError what="the approvals that expired" error={notice.error} retry={() => void notice.refetch()} />;
  const expired = notice.data?.items ?? [];
  if (!expired.length) return null;
  return (
    <div className="notice" role="status" data-testid="expired-notice">
      <strong>
        {expired.length} {expired.length === 1 ? 'approval' : 'approvals'} expired without a decision
      </strong>{' '}
      and took their expiry action:
      <ul>
        {expired.slice(0, 10).map((a) => (
          <li key={a.id}>
            {a.summary} — {a.decision === 'approve' ? 'approved' : 'rejected'} at {when(a.decidedAtMs)}
          </li>
        ))}
        {expired.length > 10 && <li>… and {expired.length - 10} more (filter by Expired)</li>}
      </ul>
      <button
        type="button"
        disabled={dismiss.isPending}
        onClick={() => dismiss.mutate({ ids: expired.map((a) => a.id) })}
      >
        Dismiss
      </button>
    </div>
  );
}

/** Where an item comes from, in names: `refund.requested · Refunds on prod`, `Flightdeck node · Payout on prod`. */
function originOf(a: Approval, names: ReturnType<typeof namer> | null): string {
  // Until the names arrive, say where it came from without calling anything "removed".
  if (!names) return a.kind === 'gate' ? (a.event ?? 'event') : waitOrigin(a);
  return a.kind === 'gate'
    ? `${a.event ?? 'event'} · ${names.mapping(a.mappingId)} on ${names.instance(a.instanceId)}`
    : `${waitOrigin(a)} · ${names.workflow(a.instanceId, a.workflowId)} on ${names.instance(a.instanceId)}`;
}

/**
 * The items in the table's order (ids top to bottom, as the table last reported them); items the
 * table has not placed yet (it reports after rendering) keep their load order, after those.
 */
function inShownOrder(items: Approval[], shownIds: string[] | null): Approval[] {
  if (!shownIds) return items;
  const byId = new Map(items.map((a) => [String(a.id), a]));
  const placed = shownIds.flatMap((id) => byId.get(id) ?? []);
  const placedIds = new Set(placed.map((a) => a.id));
  return [...placed, ...items.filter((a) => !placedIds.has(a.id))];
}

/**
 * The focused item: the one the store names, or, once it left the list (decided, filtered out),
 * the item now at its place, so deciding walks down the inbox.
 */
function useFocused(items: readonly Approval[]): Approval | undefined {
  const focusedId = useApprovals((s) => s.focusedId);
  const lastIndex = useRef(0);
  let index = items.findIndex((a) => a.id === focusedId);
  if (index < 0) index = Math.min(lastIndex.current, items.length - 1);
  const focused = index >= 0 ? items[index] : undefined;
  useEffect(() => {
    lastIndex.current = Math.max(index, 0);
    if (focused && focused.id !== useApprovals.getState().focusedId) useApprovals.getState().focus(focused.id);
  });
  return focused;
}

/** The inbox: j/k move, a approve, r reject, x select; a/r act on the selection when there is one. */
export function InboxView() {
  const inbox = useInbox();
  return (
    <>
      <InboxFilters />
      <ExpiredNotice />
      <Loaded query={inbox} what="the approvals">
        {(data) => <Inbox items={data.items} total={data.total} />}
      </Loaded>
    </>
  );
}

function Inbox({ items, total }: { items: Approval[]; total: number }) {
  const { selected, toggle, clearSelection, setSelected, focus } = useApprovals();
  const [dialog, setDialog] = useState<{ decision: Decision; ids: number[] } | null>(null);
  const [result, setResult] = useState<{ decision: Decision; data: BulkResult } | null>(null);
  const { options } = usePickerOptions();
  // The items in the order the table shows them (after a header sort): what j/k walk.
  const [shownIds, setShownIds] = useState<string[] | null>(null);
  const shown = useMemo(() => inShownOrder(items, shownIds), [items, shownIds]);
  const focused = useFocused(shown);
  // Ticks of items no longer listed (decided elsewhere, filtered out) do not count.
  const ticked = items.filter((a) => selected.has(a.id)).map((a) => a.id);

  // A link (#/approvals/12: notifications, the tray, the palette) focuses that item once it is listed;
  // once per link, so j/k are not pulled back on every refresh.
  const routed = useRouteItem('approvals')?.[0] ?? null;
  const applied = useRef<string | null>(null);
  useEffect(() => {
    if (!routed || applied.current === routed) return;
    const item = items.find((a) => String(a.id) === routed);
    if (item) {
      applied.current = routed;
      focus(item.id);
    }
  }, [routed, items, focus]);

  const decideOne = useAction('approvals:decide');
  const decideMany = useAction('approvals:decideMany');
  const busy = decideOne.isPending || decideMany.isPending;
  /** Failures are toasts (useAction), with the core's words; the items stay as they were. */
  const decide = async (decision: Decision, ids: number[], comment?: string) => {
    const args = comment ? { comment } : {};
    if (ids.length === 1 && ids[0] !== undefined) {
      await decideOne.run({ id: ids[0], decision, ...args });
      return;
    }
    const data = await decideMany.run({ ids, decision, ...args });
    if (data) {
      setResult({ decision, data });
      clearSelection();
    }
  };

  /** Approving one focused item is immediate; rejecting and every bulk decision ask first. */
  const start = (decision: Decision) => {
    const ids = ticked.length ? ticked : focused && focused.status === 'pending' ? [focused.id] : [];
    if (!ids.length || busy) return;
    if (decision === 'approve' && ids.length === 1) void decide('approve', ids);
    else setDialog({ decision, ids });
  };

  const move = (delta: number) => {
    if (!shown.length) return;
    const at = focused ? shown.indexOf(focused) : 0;
    const next = shown[Math.max(0, Math.min(shown.length - 1, at + delta))];
    if (next) focus(next.id);
  };
  /** A new sort starts the walk at the top of the list as now shown. */
  const onRowOrder = useCallback(
    (ids: string[], sortChanged: boolean) => {
      setShownIds(ids);
      const first = ids[0];
      if (sortChanged && first !== undefined) focus(Number(first));
    },
    [focus],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A key the table handled itself (defaultPrevented) is not the inbox's as well.
      if (e.defaultPrevented || isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey || dialog) return;
      const actions: Record<string, () => void> = {
        j: () => move(1),
        k: () => move(-1),
        x: () => focused?.status === 'pending' && toggle(focused.id),
        a: () => start('approve'),
        r: () => start('reject'),
      };
      const action = actions[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const pending = items.filter((a) => a.status === 'pending');
  const allTicked = pending.length > 0 && pending.every((a) => selected.has(a.id));
  const columns = useMemo<DataColumn<Approval>[]>(() => {
    const names = options ? namer(options) : null;
    return [
      {
        id: 'select',
        header: () => (
          <input
            type="checkbox"
            aria-label="Select all pending items shown"
            checked={allTicked}
            disabled={pending.length === 0}
            onChange={(e) => setSelected(e.target.checked ? pending.map((a) => a.id) : [])}
            data-testid="select-all"
          />
        ),
        enableSorting: false,
        enableResizing: false,
        enableHiding: false,
        size: 40,
        cell: ({ row }) => (
          <input
            type="checkbox"
            aria-label={`Select ${row.original.summary}`}
            checked={selected.has(row.original.id)}
            disabled={row.original.status !== 'pending'}
            onChange={() => toggle(row.original.id)}
            onClick={(e) => e.stopPropagation()}
            data-testid="approval-check"
          />
        ),
      },
      {
        id: 'priority',
        header: 'Priority',
        accessorFn: (a) => a.priority,
        size: 96,
        cell: ({ row }) => {
          const prio = priorityLabel(row.original.priority);
          return <span className={prio.className}>{prio.text}</span>;
        },
      },
      {
        id: 'title',
        header: 'Title',
        accessorFn: (a) => a.summary,
        size: 280,
        cell: ({ row }) => (
          <span title={row.original.summary} data-testid="approval-summary">
            {row.original.summary}
          </span>
        ),
      },
      {
        id: 'status',
        header: 'Status',
        accessorFn: (a) => statusText(a),
        size: 110,
        cell: ({ row }) => (
          <span className={`status-chip status-${row.original.status}`}>{statusText(row.original)}</span>
        ),
      },
      {
        id: 'origin',
        header: 'From',
        accessorFn: (a) => originOf(a, names),
        size: 260,
        cell: ({ row }) => <span className="muted">{originOf(row.original, names)}</span>,
      },
      {
        id: 'due',
        header: 'Due',
        accessorFn: (a) => a.dueAtMs ?? Number.MAX_SAFE_INTEGER,
        size: 170,
        cell: ({ row }) => when(row.original.dueAtMs),
      },
      {
        id: 'expires',
        header: 'Expires',
        accessorFn: (a) => a.expiresAtMs ?? Number.MAX_SAFE_INTEGER,
        size: 210,
        cell: ({ row }) =>
          row.original.expiresAtMs === null ? (
            <span className="muted">never</span>
          ) : (
            `${when(row.original.expiresAtMs)} → ${row.original.expiryAction}`
          ),
      },
      {
        id: 'assignee',
        header: 'Assignee',
        accessorFn: (a) => a.assignee ?? '',
        size: 110,
        cell: ({ row }) => row.original.assignee ?? <span className="muted">—</span>,
      },
      {
        id: 'fields',
        header: 'Fields',
        accessorFn: (a) => fieldsLine(a),
        size: 220,
        cell: ({ row }) =>
          row.original.fields?.length ? (
            <span className="muted" data-testid="approval-fields" title={fieldsLine(row.original, 50)}>
              {fieldsLine(row.original)}
            </span>
          ) : null,
      },
    ];
  }, [options, selected, allTicked, pending, toggle, setSelected]);

  return (
    <>
      {result && (
        <div className="result-banner" role="status" data-testid="bulk-result">
          {result.decision === 'approve' ? 'Approved' : 'Rejected'} {result.data.decided}.
          {result.data.refused > 0 && (
            <>
              {' '}
              {result.data.refused} could not be decided and were left as they were (the others stand):
              <ul>
                {result.data.results
                  .filter((r) => !r.ok)
                  .slice(0, 10)
                  .map((r) => (
                    <li key={r.id}>
                      #{r.id}: {r.error?.message}
                    </li>
                  ))}
              </ul>
            </>
          )}{' '}
          <button type="button" onClick={() => setResult(null)}>
            OK
          </button>
        </div>
      )}
      {ticked.length > 0 && (
        <div className="bulkbar" data-testid="bulk-bar">
          <strong data-testid="selected-count">{ticked.length} selected</strong>
          {busy && <span role="status">Deciding…</span>}
          <CanButton
            channel="approvals:decideMany"
            className="primary"
            onClick={() => start('approve')}
            data-testid="bulk-approve"
          >
            Approve {ticked.length}…
          </CanButton>
          <CanButton
            channel="approvals:decideMany"
            className="danger"
            onClick={() => start('reject')}
            data-testid="bulk-reject"
          >
            Reject {ticked.length}…
          </CanButton>
          <button type="button" onClick={clearSelection}>
            Clear
          </button>
        </div>
      )}
      {items.length === 0 ? (
        <EmptyState title="Nothing here">
          No approvals match this view. Runs of mappings that require approval, and n8n executions waiting on a Wait
          node that register with Flightdeck, collect here.
        </EmptyState>
      ) : (
        <div className="inbox">
          <div className="inbox-list">
            <DataTable
              storageKey="approvals"
              label="Approvals"
              testId="approval"
              columns={columns}
              data={items}
              rowId={(a) => String(a.id)}
              openId={focused ? String(focused.id) : null}
              onOpen={(a) => focus(a.id)}
              onToggle={(a) => a.status === 'pending' && toggle(a.id)}
              onRowOrder={onRowOrder}
              rowAttributes={(a) => ({ 'data-id': String(a.id), 'data-focused': String(a.id === focused?.id) })}
              height="calc(100vh - 300px)"
            />
            <p className="shortcuts">
              {items.length < total ? `Showing ${items.length} of ${total}. ` : `${total} shown. `}
              Keys: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>x</kbd> select
              (then <kbd>a</kbd>/<kbd>r</kbd> decide the selection) · in the table <kbd>↑</kbd>/<kbd>↓</kbd>,{' '}
              <kbd>Enter</kbd> opens, <kbd>Space</kbd> selects
            </p>
          </div>
          {focused && (
            <ApprovalDetailPane
              item={focused}
              onDecide={(decision) =>
                decision === 'approve'
                  ? void decide('approve', [focused.id])
                  : setDialog({ decision, ids: [focused.id] })
              }
            />
          )}
        </div>
      )}
      {dialog && (
        <DecisionDialog
          decision={dialog.decision}
          count={dialog.ids.length}
          onCancel={() => setDialog(null)}
          onConfirm={(comment) => {
            const { decision, ids } = dialog;
            setDialog(null);
            void decide(decision, ids, comment || undefined);
          }}
        />
      )}
    </>
  );
}
