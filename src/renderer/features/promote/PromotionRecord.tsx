import { useState } from 'react';
import type { Promotion } from '../../../shared/contract';
import { sendCatch } from '../../api/client';
import { CanButton } from '../../components/Guarded';
import { LoadError } from '../../components/LoadError';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { useCall } from '../../data/calls';
import styles from './Promote.module.css';

const TONE: Record<Promotion['status'], Tone> = {
  running: 'info',
  done: 'ok',
  partial: 'warn',
  failed: 'danger',
  'rolled-back': 'neutral',
};

/** Roll back, and when the target moved since: say what moved and offer to overwrite it. */
function RollbackButton({ promotion, onDone }: { promotion: Promotion; onDone: (p: Promotion) => void }) {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; conflict: boolean } | null>(null);
  if (promotion.status !== 'done' && promotion.status !== 'partial') return null;
  const run = async (force: boolean) => {
    setBusy(true);
    const reply = await sendCatch('promotions:rollback', { id: promotion.id, force });
    setBusy(false);
    if (reply.ok) {
      setRefusal(null);
      onDone(reply.data);
    } else setRefusal({ message: reply.error.message, conflict: reply.error.code === 'CONFLICT' });
  };
  return (
    <span className={styles.rollback}>
      <CanButton
        channel="promotions:rollback"
        disabled={busy}
        onClick={() => void run(false)}
        data-testid={`promote-rollback-${promotion.id}`}
      >
        {busy ? 'Rolling back…' : 'Roll back'}
      </CanButton>
      {refusal && (
        <span role="alert" className={styles.error} data-testid="promote-rollback-error">
          {refusal.message}{' '}
          {refusal.conflict && (
            <CanButton
              channel="promotions:rollback"
              className="danger"
              disabled={busy}
              onClick={() => void run(true)}
              data-testid={`promote-rollback-force-${promotion.id}`}
            >
              Roll back anyway
            </CanButton>
          )}
        </span>
      )}
    </span>
  );
}

/** One promotion: what was written per workflow, and its rollback. */
export function PromotionRecord({
  promotion,
  name,
  onChanged,
}: {
  promotion: Promotion;
  name: (id: string) => string;
  onChanged: (p: Promotion) => void;
}) {
  return (
    <div data-testid="promote-record">
      <h2 className={styles.h2}>
        Promotion #{promotion.id}: {name(promotion.sourceInstanceId)} → {name(promotion.targetInstanceId)}{' '}
        <StatusPill tone={TONE[promotion.status]} value={promotion.status} testId="promote-record-status">
          {promotion.status}
        </StatusPill>
      </h2>
      <table className="table" aria-label={`Promotion ${promotion.id}`}>
        <thead>
          <tr>
            <th>Workflow</th>
            <th>Written</th>
            <th>Live before → after</th>
            <th>Rollback</th>
          </tr>
        </thead>
        <tbody>
          {promotion.items.map((i) => (
            <tr key={i.sourceWorkflowId} data-testid={`promote-record-${i.name}`}>
              <td>
                {i.name}
                {i.targetWorkflowId && <span className="muted small"> (id {i.targetWorkflowId})</span>}
              </td>
              <td>
                {i.action}
                {i.error && <p className={`small ${styles.errorText}`}>{i.error}</p>}
              </td>
              <td>
                {i.activeBefore === null ? 'new' : i.activeBefore ? 'live' : 'stopped'} →{' '}
                {i.activeAfter === null ? '—' : i.activeAfter ? 'live' : 'stopped'}
              </td>
              <td>{i.rollback ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <RollbackButton promotion={promotion} onDone={onChanged} />
    </div>
  );
}

/** Recent promotions, newest first, each with its rollback. */
export function PromotionHistory({ name }: { name: (id: string) => string }) {
  const query = useCall('promotions:list', {});
  if (query.isError) return <LoadError what="the promotions" error={query.error} retry={() => void query.refetch()} />;
  const list = query.data;
  if (!list || list.length === 0) return null;
  return (
    <details className={styles.history} data-testid="promote-history">
      <summary>Recent promotions ({list.length})</summary>
      <table className="table" aria-label="Recent promotions">
        <thead>
          <tr>
            <th>#</th>
            <th>When</th>
            <th>Who</th>
            <th>From → to</th>
            <th>Workflows</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((p) => (
            <tr key={p.id}>
              <td>{p.id}</td>
              <td>{new Date(p.createdAtMs).toLocaleString()}</td>
              <td>{p.actor}</td>
              <td>
                {name(p.sourceInstanceId)} → {name(p.targetInstanceId)}
              </td>
              <td>{p.items.map((i) => i.name).join(', ')}</td>
              <td>
                <StatusPill tone={TONE[p.status]} value={p.status}>
                  {p.status}
                </StatusPill>
              </td>
              <td>
                <RollbackButton promotion={p} onDone={() => void query.refetch()} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
