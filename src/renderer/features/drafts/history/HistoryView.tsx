import { useCallback, useEffect, useRef, useState } from 'react';
import { pushConflictSchema, type DraftVersion, type WorkflowDiff } from '../../../../shared/contract';
import { send, sendCatch } from '../../../api/client';
import { CanButton } from '../../../components/Guarded';
import { namer, usePickerOptions } from '../../../components/picker-options';
import { useMergeUi } from '../merge/merge-store';
import styles from './HistoryView.module.css';

const REASON = {
  clone: 'cloned from n8n',
  import: 'imported',
  create: 'created',
  push: 'pushed',
  pull: 'took n8n’s version',
  merge: 'merged with n8n',
  restore: 'restored',
} as const;

type Ref = number | 'current';

/** The changes from one version to another, as a list. */
function ChangeList({ diff }: { diff: WorkflowDiff }) {
  if (diff.identical) return <p className="muted">No differences.</p>;
  return (
    <ul className={styles.changes} data-testid="history-changes">
      {diff.nameChanged && <li>Workflow renamed</li>}
      {diff.addedNodes.map((n) => (
        <li key={`a-${n}`}>+ node “{n}” added</li>
      ))}
      {diff.removedNodes.map((n) => (
        <li key={`r-${n}`}>− node “{n}” removed</li>
      ))}
      {diff.changedNodes.map((c) => (
        <li key={`c-${c.name}`}>
          ~ node “{c.name}”{c.previousName ? ` (was “${c.previousName}”)` : ''}: {c.fields.join(', ')}
          {c.parameterPaths.length > 0 && (
            <>
              {' '}
              — <code>{c.parameterPaths.join(', ')}</code>
            </>
          )}
        </li>
      ))}
      {diff.addedConnections.map((l) => (
        <li key={`ac-${l}`}>+ connection {l}</li>
      ))}
      {diff.removedConnections.map((l) => (
        <li key={`rc-${l}`}>− connection {l}</li>
      ))}
      {diff.changedSettings.length > 0 && <li>Settings changed: {diff.changedSettings.join(', ')}</li>}
    </ul>
  );
}

/**
 * A draft's local history: every clone, push, pull, merge and restore, with who, when, why and
 * which instance. Two versions compare as a list of changes; "Roll back" restores a version and
 * pushes it through the usual conflict checks (and merge, when n8n moved meanwhile).
 */
export function HistoryView({ draftId }: { draftId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { close, replaced, showMerge } = useMergeUi();
  const { options } = usePickerOptions();
  const names = namer(options);
  const [versions, setVersions] = useState<DraftVersion[] | null>(null);
  const [from, setFrom] = useState<Ref | null>(null);
  const [to, setTo] = useState<Ref>('current');
  const [diff, setDiff] = useState<WorkflowDiff | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const load = useCallback(async () => {
    const list = await send('drafts:history', { draftId });
    setVersions(list);
    setFrom((f) => f ?? list[0]?.id ?? null);
  }, [draftId]);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    void load().catch(() => undefined);
  }, [load]);

  const compare = async () => {
    if (from === null) return;
    setDiff((await send('drafts:historyCompare', { draftId, from, to })).diff);
  };

  const restore = async (version: DraftVersion, push: boolean) => {
    setStatus(null);
    await send('drafts:restore', { draftId, versionId: version.id });
    replaced();
    if (!push) {
      setStatus(`The draft is now version #${version.id}; push it to roll n8n back.`);
      await load();
      return;
    }
    const result = await sendCatch('drafts:push', { id: draftId, override: false });
    await load();
    if (result.ok) {
      setStatus(
        result.data.push.status === 'queued'
          ? `Restored #${version.id}; n8n is unreachable, the push is queued.`
          : `Rolled back: n8n now has version #${version.id}.`,
      );
      return;
    }
    const conflict = result.error.code === 'CONFLICT' ? pushConflictSchema.safeParse(result.error.details) : null;
    if (conflict?.success && conflict.data.merge) {
      if (conflict.data.merge.applied) replaced();
      showMerge(conflict.data.merge);
      return;
    }
    setStatus(`Restored #${version.id}, not pushed: ${result.error.message}`);
  };

  const label = (v: DraftVersion) => `#${v.id} · ${REASON[v.reason]} · ${new Date(v.createdAtMs).toLocaleString()}`;
  return (
    <dialog
      ref={dialog}
      className={`dialog wide ${styles.history}`}
      onCancel={close}
      aria-labelledby="history-title"
      data-testid="history-view"
    >
      <h2 id="history-title">History of this draft</h2>
      <p className="muted">
        Kept on this machine at every clone, push, pull, merge and restore. Rolling back restores a version and pushes
        it through the usual conflict checks.
      </p>
      {versions === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table className={`table ${styles.table}`} data-testid="history-list">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">When</th>
              <th scope="col">Why</th>
              <th scope="col">Who</th>
              <th scope="col">Instance</th>
              <th scope="col">Workflow</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.id} data-testid="history-row">
                <td>#{v.id}</td>
                <td>{new Date(v.createdAtMs).toLocaleString()}</td>
                <td>
                  {REASON[v.reason]}
                  {v.note && <div className="muted">{v.note}</div>}
                </td>
                <td>{v.actor}</td>
                <td title={v.instanceId ?? undefined}>{v.instanceId ? names.instance(v.instanceId) : '—'}</td>
                <td>
                  {v.name} <span className="muted">({v.nodes} nodes)</span>
                </td>
                <td>
                  <div className={styles.rowActions}>
                    <CanButton
                      channel="drafts:restore"
                      type="button"
                      onClick={() => void restore(v, false).catch(() => undefined)}
                      data-testid="history-restore"
                    >
                      Restore
                    </CanButton>
                    <CanButton
                      channel="drafts:push"
                      type="button"
                      onClick={() => void restore(v, true).catch(() => undefined)}
                      data-testid="history-rollback"
                    >
                      Roll back
                    </CanButton>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {versions && versions.length > 0 && (
        <div className={styles.compare}>
          <label>
            From{' '}
            <select
              value={from ?? ''}
              onChange={(e) => setFrom(e.target.value === 'current' ? 'current' : Number(e.target.value))}
              data-testid="history-from"
            >
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {label(v)}
                </option>
              ))}
              <option value="current">the draft now</option>
            </select>
          </label>
          <label>
            to{' '}
            <select
              value={to}
              onChange={(e) => setTo(e.target.value === 'current' ? 'current' : Number(e.target.value))}
              data-testid="history-to"
            >
              <option value="current">the draft now</option>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {label(v)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => void compare().catch(() => undefined)} data-testid="history-compare">
            Compare
          </button>
        </div>
      )}
      {diff && <ChangeList diff={diff} />}
      {status && (
        <p role="status" data-testid="history-status">
          {status}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={close} data-testid="history-close">
          Close
        </button>
      </div>
    </dialog>
  );
}
