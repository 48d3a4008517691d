import { useCallback, useEffect, useRef, useState } from 'react';
import { pushConflictSchema, type DraftVersion, type WorkflowDiff } from '../../../../shared/contract';
import { diffWorkflows } from '../../../../shared/drafts/workflow-model';
import { sendCatch } from '../../../api/client';
import { CanButton } from '../../../components/Guarded';
import { LoadError } from '../../../components/LoadError';
import { namer, usePickerOptions } from '../../../components/picker-options';
import { useDrafts } from '../drafts-store';
import { ask, useAttempt } from '../failure';
import { useMergeUi, type VersionRef } from '../merge/merge-store';
import { CompareCanvas, type CompareSide } from './CompareCanvas';
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

type Ref = VersionRef;
const parseRef = (value: string): Ref => (value === 'current' || value === 'n8n' ? value : Number(value));

interface Compared {
  diff: WorkflowDiff;
  from: CompareSide;
  to: CompareSide;
}

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
  const { close, replaced, showMerge, historyCompare: preset } = useMergeUi();
  const { options } = usePickerOptions();
  const names = namer(options);
  const draft = useDrafts((s) => s.drafts?.find((d) => d.id === draftId));
  const [versions, setVersions] = useState<DraftVersion[] | null>(null);
  const [loadError, setLoadError] = useState<Error | null>(null);
  const [from, setFrom] = useState<Ref | null>(preset?.from ?? null);
  const [to, setTo] = useState<Ref>(preset?.to ?? 'current');
  const [compared, setCompared] = useState<Compared | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  /** A failed action, said here in words beside the buttons. */
  const { problem, attempt } = useAttempt();

  const load = useCallback(async () => {
    const list = await ask('drafts:history', { draftId });
    setVersions(list);
    setLoadError(null);
    setFrom((f) => f ?? list[0]?.id ?? null);
  }, [draftId]);
  const reload = useCallback(() => void load().catch((error: Error) => setLoadError(error)), [load]);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    reload();
  }, [reload]);

  const label = (v: DraftVersion) => `#${v.id} · ${REASON[v.reason]} · ${new Date(v.createdAtMs).toLocaleString()}`;
  const refLabel = (ref: Ref) => {
    if (ref === 'current') return 'the draft now';
    if (ref === 'n8n') return 'n8n now';
    const v = versions?.find((x) => x.id === ref);
    return v ? `#${v.id} · ${REASON[v.reason]}` : `#${ref}`;
  };
  const n8nTarget = draft?.instanceId && draft.remoteWorkflowId ? draft : null;

  /** n8n's version of the workflow (the kind the draft was taken from); a snapshot when n8n is down. */
  const n8nSide = async (): Promise<CompareSide> => {
    if (!n8nTarget?.instanceId || !n8nTarget.remoteWorkflowId)
      throw new Error('This draft is not in n8n yet, so there is nothing there to compare with');
    const got = await ask('workflows:definition', {
      instanceId: n8nTarget.instanceId,
      workflowId: n8nTarget.remoteWorkflowId,
      version: n8nTarget.baseKind,
    });
    return {
      label:
        got.source === 'snapshot'
          ? `n8n (snapshot of ${new Date(got.takenAtMs ?? 0).toLocaleString()})`
          : `n8n now (${got.version === 'published' ? 'published' : 'saved'})`,
      workflow: got.workflow,
    };
  };

  const compare = async () => {
    if (from === null) return;
    setCompared(null);
    if (from !== 'n8n' && to !== 'n8n') {
      const r = await ask('drafts:historyCompare', { draftId, from, to });
      setCompared({
        diff: r.diff,
        from: { label: refLabel(from), workflow: r.from },
        to: { label: refLabel(to), workflow: r.to },
      });
      return;
    }
    const sideOf = async (ref: Ref): Promise<CompareSide> => {
      if (ref === 'n8n') return n8nSide();
      // A version compared with itself: the contract's way to read one version's workflow.
      const r = await ask('drafts:historyCompare', { draftId, from: ref, to: ref });
      return { label: refLabel(ref), workflow: r.from };
    };
    const [a, b] = await Promise.all([sideOf(from), sideOf(to)]);
    // The same diff core's compare uses: added = only in `to`.
    setCompared({ diff: diffWorkflows(b.workflow, a.workflow), from: a, to: b });
  };

  // Opened for a compare ("Compare with n8n" → "See it on the canvas"): it runs once the versions are in.
  const presetDone = useRef(false);
  useEffect(() => {
    if (!preset || presetDone.current || versions === null) return;
    presetDone.current = true;
    attempt('Comparing the two versions', compare);
  });

  const restore = async (version: DraftVersion, push: boolean) => {
    setStatus(null);
    await ask('drafts:restore', { draftId, versionId: version.id });
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
      {loadError ? (
        <LoadError what="the draft's history" error={loadError} retry={reload} />
      ) : versions === null ? (
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
                      onClick={() => attempt(`Restoring version #${v.id}`, () => restore(v, false))}
                      data-testid="history-restore"
                    >
                      Restore
                    </CanButton>
                    <CanButton
                      channel="drafts:push"
                      type="button"
                      onClick={() => attempt(`Rolling back to version #${v.id}`, () => restore(v, true))}
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
            <select value={from ?? ''} onChange={(e) => setFrom(parseRef(e.target.value))} data-testid="history-from">
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {label(v)}
                </option>
              ))}
              <option value="current">the draft now</option>
              {n8nTarget && <option value="n8n">n8n now</option>}
            </select>
          </label>
          <label>
            to{' '}
            <select value={to} onChange={(e) => setTo(parseRef(e.target.value))} data-testid="history-to">
              <option value="current">the draft now</option>
              {n8nTarget && <option value="n8n">n8n now</option>}
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {label(v)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => attempt('Comparing the two versions', compare)}
            data-testid="history-compare"
          >
            Compare
          </button>
        </div>
      )}
      {problem && (
        <p className="invalid" role="alert" data-testid="history-problem">
          {problem}
        </p>
      )}
      {compared && (
        <>
          <CompareCanvas
            key={`${compared.from.label}→${compared.to.label}`}
            diff={compared.diff}
            from={compared.from}
            to={compared.to}
          />
          <ChangeList diff={compared.diff} />
        </>
      )}
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
