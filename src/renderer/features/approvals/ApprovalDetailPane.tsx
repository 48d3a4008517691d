import { useEffect, useState } from 'react';
import type { Approval, ApprovalDetail } from '../../../shared/contract';
import { api, send } from '../../api/client';
import { formatRun, localRunNumber, n8nExecutionNumber } from '../../../shared/run-identity';
import { useInstanceNamer } from '../executions/RunLabel';
import { CanButton } from '../../components/Guarded';
import { useAuth } from '../../stores/auth-store';
import { ApprovalFields } from './ApprovalFields';
import { priorityLabel, statusText, when } from './format';

/** The focused item: payload, mapping, history, related runs, comments and claim. */
export function ApprovalDetailPane(props: { item: Approval; onDecide(decision: 'approve' | 'reject'): void }) {
  const { item } = props;
  const [detail, setDetail] = useState<ApprovalDetail | null>(null);
  const [comment, setComment] = useState('');
  const namer = useInstanceNamer();
  /** The run the item holds, named as everywhere else (FD-29 → n8n #812 on prod). */
  const runOf = (a: Approval): string | null => {
    const own = detail?.related.find((r) => r.id === a.executionId);
    if (own) return formatRun(own, namer);
    if (a.kind === 'gate' && a.executionId !== null) return localRunNumber(a.executionId);
    if (a.remoteExecutionId === null) return null;
    const on = namer(a.instanceId) ?? a.instanceId;
    return `${n8nExecutionNumber(a.remoteExecutionId)}${on ? ` on ${on}` : ''}`;
  };

  useEffect(() => {
    let live = true;
    const load = () =>
      void send('approvals:get', { id: item.id })
        .then((d) => live && setDetail(d))
        .catch(() => undefined);
    load();
    const off = api.on('approvals:changed', ({ ids }) => ids.includes(item.id) && load());
    return () => {
      live = false;
      off();
    };
  }, [item.id]);

  const addComment = async () => {
    if (!comment.trim()) return;
    await send('approvals:comment', { id: item.id, body: comment.trim() });
    setComment('');
  };
  const prio = priorityLabel(item.priority);
  const d = detail?.item.id === item.id ? detail : null;
  // Four eyes (team mode): the requester may be barred from approving, and one person counts once.
  const me = useAuth((s) => s.me);
  const quorum = d?.quorum;
  const mine = (name: string | null | undefined) =>
    Boolean(me && name && name.toLowerCase() === me.username.toLowerCase());
  const barred =
    quorum && !quorum.requesterMayApprove && mine(quorum.requestedBy)
      ? 'You asked for this run, so someone else must approve it (you may reject it).'
      : quorum?.approvals.some((a) => mine(a.by))
        ? 'You approved this already; another person must approve it too.'
        : undefined;

  return (
    <aside className="detail" data-testid="approval-detail" aria-label="Approval detail">
      <h2>{item.summary}</h2>
      <div className="row">
        <span className={`status-chip status-${item.status}`}>{statusText(item)}</span>
        <span className={prio.className}>{prio.text}</span>
        <span className="muted">
          {item.kind === 'gate' ? 'Run held before dispatch' : 'n8n execution waiting'}
          {runOf(item) && <span data-testid="approval-run"> · {runOf(item)}</span>} · item {item.id}
        </span>
      </div>
      <dl className="grid2">
        <div>
          <dt className="muted">Instance / workflow</dt>
          <dd>
            {item.instanceId ?? '—'} / {item.workflowId ?? '—'}
            {item.remoteExecutionId && ` · execution ${item.remoteExecutionId}`}
          </dd>
        </div>
        <div>
          <dt className="muted">Created</dt>
          <dd>{when(item.createdAtMs)}</dd>
        </div>
        <div>
          <dt className="muted">Due</dt>
          <dd>{when(item.dueAtMs)}</dd>
        </div>
        <div>
          <dt className="muted">Expires</dt>
          <dd>{item.expiresAtMs ? `${when(item.expiresAtMs)} → ${item.expiryAction}` : 'never'}</dd>
        </div>
      </dl>
      <ApprovalFields item={item} />
      {item.status === 'pending' ? (
        <div className="actions">
          <CanButton
            channel="approvals:decide"
            className="primary"
            onClick={() => props.onDecide('approve')}
            disabled={barred !== undefined}
            title={barred}
            data-testid="detail-approve"
          >
            Approve <kbd>a</kbd>
          </CanButton>
          <CanButton
            channel="approvals:decide"
            className="danger"
            onClick={() => props.onDecide('reject')}
            data-testid="detail-reject"
          >
            Reject… <kbd>r</kbd>
          </CanButton>
          {item.assignee ? (
            <>
              <span className="muted">Claimed by {item.assignee}</span>
              <CanButton
                channel="approvals:claim"
                onClick={() => void send('approvals:claim', { id: item.id, assignee: null }).catch(() => undefined)}
              >
                Release
              </CanButton>
            </>
          ) : (
            <CanButton
              channel="approvals:claim"
              onClick={() => void send('approvals:claim', { id: item.id }).catch(() => undefined)}
              data-testid="detail-claim"
            >
              Claim
            </CanButton>
          )}
          {quorum && (quorum.required > 1 || !quorum.requesterMayApprove) && (
            <p className="muted" data-testid="detail-quorum">
              {quorum.required > 1
                ? `Approved by ${quorum.approvals.length} of ${quorum.required} people needed${
                    quorum.approvals.length ? ` (${quorum.approvals.map((a) => a.by).join(', ')})` : ''
                  }. `
                : ''}
              {quorum.requestedBy ? `Requested by ${quorum.requestedBy}` : ''}
              {!quorum.requesterMayApprove ? ', who cannot approve it.' : '.'}
              {barred && <span className="why-not"> {barred}</span>}
            </p>
          )}
        </div>
      ) : (
        <p data-testid="detail-decision">
          {item.decision === 'approve' ? 'Approved' : 'Rejected'} by {item.decidedBy} at {when(item.decidedAtMs)}
          {item.comment && <>: “{item.comment}”</>}
          {item.explanation && (
            <>
              <br />
              {item.explanation}
            </>
          )}
          {item.resumeError && (
            <>
              <br />
              <span className="invalid">{item.resumeError}</span>
            </>
          )}
          {item.resumeState === 'resuming' && item.resumeAttempts > 0 && (
            <>
              <br />
              <span className="muted">
                Not delivered to n8n yet ({item.resumeAttempts} {item.resumeAttempts === 1 ? 'attempt' : 'attempts'});
                it is retried automatically.
              </span>{' '}
              <CanButton
                channel="approvals:retryResumes"
                onClick={() => void send('approvals:retryResumes', {}).catch(() => undefined)}
                data-testid="detail-retry-resume"
              >
                Retry now
              </CanButton>
            </>
          )}
        </p>
      )}
      <h3>Payload</h3>
      <pre className="code" data-testid="detail-payload">
        {JSON.stringify(item.payload, null, 2)}
      </pre>
      {d?.mapping && (
        <>
          <h3>Mapping</h3>
          <pre className="code">{JSON.stringify(d.mapping, null, 2)}</pre>
        </>
      )}
      <h3>Comments</h3>
      {d?.comments.length ? (
        <ul>
          {d.comments.map((c) => (
            <li key={c.id}>
              <strong>{c.author}</strong> <span className="muted">{when(c.atMs)}</span>: {c.body}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No comments yet.</p>
      )}
      <div className="row">
        <input
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && void addComment().catch(() => undefined)}
          placeholder="Add a comment"
          aria-label="Add a comment"
          maxLength={2000}
        />
        <CanButton
          channel="approvals:comment"
          onClick={() => void addComment().catch(() => undefined)}
          disabled={!comment.trim()}
        >
          Comment
        </CanButton>
      </div>
      <h3>History</h3>
      {d ? (
        <ul data-testid="detail-history">
          {d.history.map((h) => (
            <li key={h.id}>
              {when(h.atMs)} · <strong>{h.actor}</strong> {h.action.replace('approval.', '')}
              {h.reason && <>: {h.reason}</>}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Loading…</p>
      )}
      <h3>Related executions</h3>
      {d?.related.length ? (
        <table className="table">
          <tbody>
            {d.related.map((r) => (
              <tr key={r.id}>
                <td data-testid="approval-related-run">{formatRun(r, namer)}</td>
                <td>{r.status}</td>
                <td>{when(r.createdAtMs)}</td>
                <td>{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No runs of this workflow recorded yet.</p>
      )}
    </aside>
  );
}
