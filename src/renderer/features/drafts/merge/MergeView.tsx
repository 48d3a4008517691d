import { useEffect, useMemo, useRef, useState } from 'react';
import type { MergeConflictView, MergeReport, MergeResolution } from '../../../../shared/contract';
import { sendCatch } from '../../../api/client';
import { ask, failureText } from '../failure';
import { useMergeUi } from './merge-store';
import styles from './MergeView.module.css';
import { editText, parseEdit, showSide } from './values';

type Choice = { choice: 'mine' | 'theirs' } | { choice: 'edit'; text: string };

const FROM_LABEL = { mine: 'your draft', theirs: 'n8n', both: 'both (the same change)' } as const;

/**
 * The three-way merge of a draft with n8n: each overlapping change side by side (base, mine,
 * theirs) with a choice of mine, theirs or an edited value; what merged by itself listed below.
 * Applying sends the choices to core, which merges again, checks them and validates the result.
 */
export function MergeView({ report: initial }: { report: MergeReport }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { close, replaced, showMerge } = useMergeUi();
  const [report, setReport] = useState(initial);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [moved, setMoved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const groups = useMemo(() => {
    const byNode = new Map<string, MergeConflictView[]>();
    for (const c of report.conflicts) {
      const key = c.node ?? '';
      byNode.set(key, [...(byNode.get(key) ?? []), c]);
    }
    return [...byNode.entries()];
  }, [report]);

  const parsed = report.conflicts.map((c) => {
    const choice = choices[c.id];
    if (!choice) return { id: c.id, resolution: null, error: null };
    if (choice.choice !== 'edit')
      return { id: c.id, resolution: { conflictId: c.id, choice: choice.choice }, error: null };
    const value = parseEdit(choice.text);
    return value.ok
      ? { id: c.id, resolution: { conflictId: c.id, choice: 'edit' as const, value: value.value }, error: null }
      : { id: c.id, resolution: null, error: value.message };
  });
  const open = parsed.filter((p) => p.resolution === null).length;
  const resolutions = parsed.flatMap((p) => (p.resolution ? [p.resolution as MergeResolution] : []));

  const chooseAll = (choice: 'mine' | 'theirs') =>
    setChoices(Object.fromEntries(report.conflicts.map((c) => [c.id, { choice }])));

  const apply = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const result = await sendCatch('drafts:mergeApply', {
        id: report.draftId,
        remoteVersionId: report.remoteVersionId,
        remoteUpdatedAtMs: report.remoteUpdatedAtMs,
        resolutions,
      });
      if (result.ok) {
        replaced();
        close();
        return;
      }
      if (result.error.code === 'CONFLICT') setMoved(true);
      setProblem(result.error.message);
    } finally {
      setBusy(false);
    }
  };

  const mergeAgain = async () => {
    const next = await ask('drafts:merge', { id: report.draftId });
    setMoved(false);
    setProblem(null);
    setChoices({});
    setReport(next);
    if (next.applied) replaced();
    showMerge(next);
  };

  const done = report.applied || report.upToDate;
  const title = report.upToDate
    ? 'Up to date with n8n'
    : report.applied
      ? 'Merged with n8n'
      : `${report.conflicts.length} overlapping change${report.conflicts.length === 1 ? '' : 's'} to resolve`;

  return (
    <dialog
      ref={dialog}
      className={`dialog wide ${styles.merge}`}
      onCancel={close}
      aria-labelledby="merge-title"
      data-testid="merge-view"
    >
      <h2 id="merge-title">{title}</h2>
      <p className="muted" data-testid="merge-summary">
        {report.upToDate
          ? 'n8n has not changed this workflow since your draft was taken: nothing to merge.'
          : report.applied
            ? `Your changes and n8n's did not overlap: the draft is now the merged result (${report.changes.length} change${report.changes.length === 1 ? '' : 's'}). Review it, then push.`
            : `Both your draft and n8n changed the same things since the draft was taken. Choose per change: yours, theirs, or an edited value. The ${report.changes.length} other change${report.changes.length === 1 ? '' : 's'} merged by themselves.`}
      </p>
      {!report.baseKnown && (
        <p className={styles.note} data-testid="merge-no-base">
          This draft was made before Flightdeck kept the version it was taken from: every difference is shown as a
          conflict.
        </p>
      )}
      {groups.length > 0 && (
        <div className={styles.bulk}>
          <button type="button" onClick={() => chooseAll('mine')} data-testid="merge-all-mine">
            All mine
          </button>
          <button type="button" onClick={() => chooseAll('theirs')} data-testid="merge-all-theirs">
            All theirs
          </button>
        </div>
      )}
      {groups.map(([node, conflicts]) => (
        <section key={node} className={styles.group} data-testid="merge-group">
          <h3>{node ? `Node “${node}”` : 'Workflow'}</h3>
          {conflicts.map((c) => {
            const choice = choices[c.id];
            const error = parsed.find((p) => p.id === c.id)?.error;
            const name = `merge-${c.id}`;
            return (
              <fieldset key={c.id} className={styles.conflict} data-testid="merge-conflict">
                <legend>
                  <code>{c.what}</code>
                </legend>
                <div className={styles.sides}>
                  <div className={styles.side}>
                    <span className={styles.label}>Base (when taken)</span>
                    <pre data-testid="merge-base">{showSide(c.base)}</pre>
                  </div>
                  <label className={`${styles.side} ${styles.mine} ${choice?.choice === 'mine' ? styles.chosen : ''}`}>
                    <span className={styles.label}>
                      <input
                        type="radio"
                        name={name}
                        checked={choice?.choice === 'mine'}
                        onChange={() => setChoices({ ...choices, [c.id]: { choice: 'mine' } })}
                        data-testid="merge-pick-mine"
                      />{' '}
                      Mine (this draft)
                    </span>
                    <pre data-testid="merge-mine">{showSide(c.mine, '(deleted in the draft)')}</pre>
                  </label>
                  <label
                    className={`${styles.side} ${styles.theirs} ${choice?.choice === 'theirs' ? styles.chosen : ''}`}
                  >
                    <span className={styles.label}>
                      <input
                        type="radio"
                        name={name}
                        checked={choice?.choice === 'theirs'}
                        onChange={() => setChoices({ ...choices, [c.id]: { choice: 'theirs' } })}
                        data-testid="merge-pick-theirs"
                      />{' '}
                      Theirs (n8n now)
                    </span>
                    <pre data-testid="merge-theirs">{showSide(c.theirs, '(deleted in n8n)')}</pre>
                  </label>
                </div>
                <label className={styles.edit}>
                  <input
                    type="radio"
                    name={name}
                    checked={choice?.choice === 'edit'}
                    onChange={() =>
                      setChoices({ ...choices, [c.id]: { choice: 'edit', text: editText(c.mine, c.theirs) } })
                    }
                    data-testid="merge-pick-edit"
                  />{' '}
                  Edit a value of my own
                </label>
                {choice?.choice === 'edit' && (
                  <>
                    <textarea
                      rows={Math.min(12, Math.max(2, choice.text.split('\n').length))}
                      value={choice.text}
                      aria-label={`Value for ${c.what}`}
                      aria-invalid={error ? true : undefined}
                      onChange={(e) => setChoices({ ...choices, [c.id]: { choice: 'edit', text: e.target.value } })}
                      data-testid="merge-edit"
                    />
                    <span className="muted">JSON; a plain word is taken as text.</span>
                    {error && (
                      <span className="invalid" role="alert">
                        {error}
                      </span>
                    )}
                  </>
                )}
              </fieldset>
            );
          })}
        </section>
      ))}
      {report.changes.length > 0 && (
        <details className={styles.changes} open={done} data-testid="merge-changes">
          <summary>
            {report.changes.length} change{report.changes.length === 1 ? '' : 's'} merged by themselves
          </summary>
          <ul>
            {report.changes.map((c, i) => (
              <li key={i} data-testid="merge-change">
                {c.node ? `“${c.node}” ` : ''}
                <code>{c.what}</code> <span className="muted">from {FROM_LABEL[c.from]}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {report.droppedLinks.length > 0 && (
        <p className={styles.note} data-testid="merge-dropped">
          Connections dropped because a node they touch was deleted on the other side: {report.droppedLinks.join('; ')}
        </p>
      )}
      {!done && report.issues.length > 0 && (
        <ul className="invalid" data-testid="merge-issues">
          {report.issues.map((i) => (
            <li key={i.message}>With your draft&apos;s values: {i.message}</li>
          ))}
        </ul>
      )}
      {problem && (
        <p className="invalid" role="alert" data-testid="merge-problem">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={close} data-testid="merge-close">
          {done ? 'Close' : 'Decide later'}
        </button>
        {moved && (
          <button
            type="button"
            onClick={() => void mergeAgain().catch((error: unknown) => setProblem(failureText('Merging again', error)))}
            data-testid="merge-again"
          >
            Merge again
          </button>
        )}
        {!done && (
          <button
            type="button"
            className="primary"
            disabled={open > 0 || busy}
            onClick={() => void apply()}
            data-testid="merge-apply"
          >
            {open > 0 ? `Resolve ${open} more` : 'Apply merge'}
          </button>
        )}
      </div>
    </dialog>
  );
}
