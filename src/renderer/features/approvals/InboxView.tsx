import { useEffect, useRef, useState } from 'react';
import type { CallOutput, Decision } from '../../../shared/contract';
import { send } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { namer, usePickerOptions } from '../../components/picker-options';
import { CanButton } from '../../components/Guarded';
import { useRouteItem } from '../../stores/nav-store';
import { ApprovalDetailPane } from './ApprovalDetailPane';
import { fieldsLine, waitOrigin } from './ApprovalFields';
import { followInbox, useApprovals } from './approvals-store';
import { DecisionDialog } from './DecisionDialog';
import { priorityLabel, statusText, when } from './format';
import { InboxFilters } from './InboxFilters';

type BulkResult = CallOutput<'approvals:decideMany'>;
const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && t.closest('input, textarea, select, dialog, [contenteditable]') !== null;

/** Items that expired without a decision (also while the app was closed), until acknowledged. */
function ExpiredNotice() {
  const expired = useApprovals((s) => s.expired);
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
        onClick={() =>
          void send('approvals:acknowledgeExpired', { ids: expired.map((a) => a.id) })
            .then(() => useApprovals.getState().loadExpired())
            .catch(() => undefined)
        }
      >
        Dismiss
      </button>
    </div>
  );
}

/** The inbox: j/k move, a approve, r reject, x select; a/r act on the selection when there is one. */
export function InboxView() {
  const { items, total, cursor, selected, setCursor, toggle, clearSelection } = useApprovals();
  const [dialog, setDialog] = useState<{ decision: Decision; ids: number[] } | null>(null);
  const [result, setResult] = useState<{ decision: Decision; data: BulkResult } | null>(null);
  const table = useRef<HTMLTableSectionElement>(null);
  const names = namer(usePickerOptions().options);
  useEffect(followInbox, []);
  const focused = items?.[cursor];
  // A link (#/approvals/12: notifications, the tray, the palette) focuses that item once it is listed;
  // once per link, so j/k are not pulled back on every refresh.
  const routed = useRouteItem('approvals')?.[0] ?? null;
  const applied = useRef<string | null>(null);
  useEffect(() => {
    if (!routed || !items || applied.current === routed) return;
    const index = items.findIndex((item) => String(item.id) === routed);
    if (index >= 0) {
      applied.current = routed;
      setCursor(index);
    }
  }, [routed, items, setCursor]);

  const [busy, setBusy] = useState(false);
  const decide = async (decision: Decision, ids: number[], comment?: string) => {
    const args = comment ? { comment } : {};
    setBusy(true);
    try {
      if (ids.length === 1 && ids[0] !== undefined) {
        await send('approvals:decide', { id: ids[0], decision, ...args });
        return;
      }
      const data = await send('approvals:decideMany', { ids, decision, ...args });
      setResult({ decision, data });
      clearSelection();
    } finally {
      setBusy(false);
    }
  };

  /** Approving one focused item is immediate; rejecting and every bulk decision ask first. */
  const start = (decision: Decision) => {
    const ids = selected.size ? [...selected] : focused && focused.status === 'pending' ? [focused.id] : [];
    if (!ids.length || busy) return;
    if (decision === 'approve' && ids.length === 1) void decide('approve', ids).catch(() => undefined);
    else setDialog({ decision, ids });
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey || dialog) return;
      const s = useApprovals.getState();
      const actions: Record<string, () => void> = {
        j: () => s.move(1),
        k: () => s.move(-1),
        x: () => focused?.status === 'pending' && s.toggle(focused.id),
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
  useEffect(() => {
    table.current?.querySelector(`[data-index="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  return (
    <>
      <InboxFilters />
      <ExpiredNotice />
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
      {selected.size > 0 && (
        <div className="bulkbar" data-testid="bulk-bar">
          <strong data-testid="selected-count">{selected.size} selected</strong>
          {busy && <span role="status">Deciding…</span>}
          <CanButton
            channel="approvals:decideMany"
            className="primary"
            onClick={() => start('approve')}
            data-testid="bulk-approve"
          >
            Approve {selected.size}…
          </CanButton>
          <CanButton
            channel="approvals:decideMany"
            className="danger"
            onClick={() => start('reject')}
            data-testid="bulk-reject"
          >
            Reject {selected.size}…
          </CanButton>
          <button type="button" onClick={clearSelection}>
            Clear
          </button>
        </div>
      )}
      {items === null ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <EmptyState title="Nothing here">
          No approvals match this view. Runs of mappings that require approval, and n8n executions waiting on a Wait
          node that register with Flightdeck, collect here.
        </EmptyState>
      ) : (
        <div className="inbox">
          <div>
            <table className="table" data-testid="approvals-table">
              <thead>
                <tr>
                  <th>
                    <input
                      type="checkbox"
                      aria-label="Select all shown"
                      checked={items.length > 0 && items.every((i) => selected.has(i.id))}
                      onChange={(e) =>
                        useApprovals.setState({
                          selected: new Set(
                            e.target.checked ? items.filter((i) => i.status === 'pending').map((i) => i.id) : [],
                          ),
                        })
                      }
                      data-testid="select-all"
                    />
                  </th>
                  <th>Priority</th>
                  <th>Summary</th>
                  <th>Due / expires</th>
                  <th>Assignee</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody ref={table}>
                {items.map((a, i) => {
                  const prio = priorityLabel(a.priority);
                  return (
                    <tr
                      key={a.id}
                      data-index={i}
                      data-focused={i === cursor}
                      data-testid="approval-row"
                      data-id={a.id}
                      aria-selected={i === cursor}
                      onClick={() => setCursor(i)}
                    >
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Select ${a.summary}`}
                          checked={selected.has(a.id)}
                          disabled={a.status !== 'pending'}
                          onChange={() => toggle(a.id)}
                          onClick={(e) => e.stopPropagation()}
                        />
                      </td>
                      <td>
                        <span className={prio.className}>{prio.text}</span>
                      </td>
                      <td>
                        {a.summary}
                        {a.fields?.length ? <div data-testid="approval-fields">{fieldsLine(a)}</div> : null}
                        <div className="muted">
                          {a.kind === 'gate'
                            ? `${a.event ?? 'event'} · ${names.mapping(a.mappingId)} on ${names.instance(a.instanceId)}`
                            : `${waitOrigin(a)} · ${names.workflow(a.instanceId, a.workflowId)} on ${names.instance(a.instanceId)}`}
                        </div>
                      </td>
                      <td>
                        {a.dueAtMs !== null && <div>due {when(a.dueAtMs)}</div>}
                        {a.expiresAtMs !== null && (
                          <div className="muted">
                            expires {when(a.expiresAtMs)} → {a.expiryAction}
                          </div>
                        )}
                      </td>
                      <td>{a.assignee ?? <span className="muted">—</span>}</td>
                      <td>
                        <span className={`status-chip status-${a.status}`}>{statusText(a)}</span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <p className="shortcuts">
              {items.length < total ? `Showing ${items.length} of ${total}. ` : `${total} shown. `}
              Keys: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>a</kbd> approve · <kbd>r</kbd> reject · <kbd>x</kbd> select
              (then <kbd>a</kbd>/<kbd>r</kbd> decide the selection)
            </p>
          </div>
          {focused && (
            <ApprovalDetailPane
              item={focused}
              onDecide={(decision) =>
                decision === 'approve'
                  ? void decide('approve', [focused.id]).catch(() => undefined)
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
            void decide(decision, ids, comment || undefined).catch(() => undefined);
          }}
        />
      )}
    </>
  );
}
