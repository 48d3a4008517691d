import { useState } from 'react';
import type { Approval } from '../../../shared/contract';
import { LoadError } from '../../components/LoadError';
import { useAction, useCall } from '../../data/calls';
import { executionItem, hashFor } from '../../stores/routes';
import { formatRun, localRunNumber, n8nExecutionNumber } from '../../../shared/run-identity';
import { useInstanceNamer } from '../executions/RunLabel';
import { CanButton } from '../../components/Guarded';
import { useAuth } from '../../stores/auth-store';
import { allowedWords, ApprovalFields } from './ApprovalFields';
import { PayloadFields } from './PayloadFields';
import { priorityLabel, statusText, when } from './format';

/** A button's keyboard shortcut, shown apart from its label ("Approve  A") and announced to assistive tech. */
export function KeyHint({ keys }: { keys: string }) {
  return (
    <kbd className="key-hint" aria-hidden="true">
      {keys}
    </kbd>
  );
}

/** The focused item: payload fields, the mapping by name, its note, history, its run's lineage, comments and claim. */
export function ApprovalDetailPane(props: { item: Approval; onDecide(decision: 'approve' | 'reject'): void }) {
  const { item } = props;
  // Kept fresh by approvals events through the shared query layer.
  const detailQuery = useCall('approvals:get', { id: item.id });
  const detail = detailQuery.data ?? null;
  // Failures of these are toasts with the core's words (useAction).
  const claim = useAction('approvals:claim');
  const retryResumes = useAction('approvals:retryResumes');
  const postComment = useAction('approvals:comment');
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

  const addComment = async () => {
    if (!comment.trim()) return;
    if (await postComment.run({ id: item.id, body: comment.trim() })) setComment('');
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
          {runOf(item) && <span data-testid="approval-run"> · {runOf(item)}</span>}
          <span title={`Approval item ${item.id}`}> · #{item.id}</span>
        </span>
      </div>
      <dl className="grid2">
        <div>
          <dt className="muted">Instance</dt>
          <dd data-testid="approval-instance" title={item.instanceId ?? undefined}>
            {item.instanceId === null ? '—' : (d?.names.instance ?? namer(item.instanceId) ?? 'removed instance')}
          </dd>
        </div>
        <div>
          <dt className="muted">Workflow</dt>
          <dd data-testid="approval-workflow" title={item.workflowId ?? undefined}>
            {item.workflowId === null ? (
              '—'
            ) : item.instanceId ? (
              <a href={hashFor('workflows', item.instanceId, item.workflowId)}>
                {d?.names.workflow ?? 'workflow not synced'}
              </a>
            ) : (
              (d?.names.workflow ?? 'workflow not synced')
            )}
          </dd>
        </div>
        {item.mappingId && (
          <div>
            <dt className="muted">Mapping</dt>
            <dd data-testid="approval-mapping" title={item.mappingId}>
              <a href={hashFor('mappings', item.mappingId)}>{d?.names.mapping ?? 'removed mapping'}</a>
              {item.event && <span className="muted"> · {item.event}</span>}
            </dd>
          </div>
        )}
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
        {item.allowed && (
          <div>
            <dt className="muted">Who may decide</dt>
            <dd data-testid="detail-allowed">{allowedWords(item.allowed)}</dd>
          </div>
        )}
      </dl>
      <ApprovalFields item={item} />
      {item.status === 'pending' ? (
        <div className="actions">
          <CanButton
            channel="approvals:decide"
            className="primary"
            onClick={() => props.onDecide('approve')}
            aria-keyshortcuts="A"
            disabled={barred !== undefined}
            title={barred}
            data-testid="detail-approve"
          >
            Approve <KeyHint keys="A" />
          </CanButton>
          <CanButton
            channel="approvals:decide"
            className="danger"
            onClick={() => props.onDecide('reject')}
            aria-keyshortcuts="R"
            data-testid="detail-reject"
          >
            Reject… <KeyHint keys="R" />
          </CanButton>
          {item.assignee ? (
            <>
              <span className="muted">Claimed by {item.assignee}</span>
              <CanButton channel="approvals:claim" onClick={() => claim.mutate({ id: item.id, assignee: null })}>
                Release
              </CanButton>
            </>
          ) : (
            <CanButton
              channel="approvals:claim"
              onClick={() => claim.mutate({ id: item.id })}
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
                onClick={() => retryResumes.mutate({})}
                data-testid="detail-retry-resume"
              >
                Retry now
              </CanButton>
            </>
          )}
        </p>
      )}
      {d?.approverNote && (
        <p className="approver-note" data-testid="approver-note">
          <strong>Note to the approver:</strong> {d.approverNote}
        </p>
      )}
      <h3>Payload</h3>
      <PayloadFields payload={item.payload} />
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
          onKeyDown={(e) => e.key === 'Enter' && void addComment()}
          placeholder="Add a comment"
          aria-label="Add a comment"
          maxLength={2000}
        />
        <CanButton
          channel="approvals:comment"
          onClick={() => void addComment()}
          disabled={!comment.trim() || postComment.isPending}
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
      ) : detailQuery.isError ? (
        <LoadError
          what="this item's history, comments and run"
          error={detailQuery.error}
          retry={() => void detailQuery.refetch()}
        />
      ) : (
        <p className="muted">Loading…</p>
      )}
      <h3>This run and its retries</h3>
      {d?.related.length ? (
        <table className="table" data-testid="approval-lineage">
          <tbody>
            {d.related.map((r) => (
              <tr key={r.id}>
                <td data-testid="approval-related-run">
                  <a href={hashFor('executions', executionItem(r))}>{formatRun(r, namer)}</a>
                </td>
                <td>{r.status}</td>
                <td>{when(r.createdAtMs)}</td>
                <td>{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No run recorded for this item yet.</p>
      )}
    </aside>
  );
}
