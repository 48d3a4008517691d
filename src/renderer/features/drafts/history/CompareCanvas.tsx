import { useMemo, useState } from 'react';
import type { WorkflowDefinition, WorkflowDiff } from '../../../../shared/contract';
import { WorkflowCanvas } from '../../../components/workflow-canvas/WorkflowCanvas';
import { sideBySide } from '../side-by-side';
import { compareMarks, linksAt, newerName } from './compare';
import styles from './CompareCanvas.module.css';

export interface CompareSide {
  /** "#4 · pushed", "the draft now", "n8n now". */
  label: string;
  workflow: WorkflowDefinition;
}

/**
 * Two versions of a workflow side by side on read-only canvases, older left: nodes marked added,
 * removed or changed, links added or removed (all from the one workflow diff). Clicking a node on
 * either side selects it on both and lists its changes with both values, as the conflict dialog does.
 */
export function CompareCanvas({ diff, from, to }: { diff: WorkflowDiff; from: CompareSide; to: CompareSide }) {
  const marks = useMemo(() => compareMarks(diff), [diff]);
  // mine = the newer side, theirs = the older one: the conflict dialog's rows, read left to right here.
  const groups = useMemo(() => sideBySide(diff, to.workflow, from.workflow), [diff, from, to]);
  /** The picked node, by its name on the newer side (a removed node: its name on the older). */
  const [picked, setPicked] = useState<string | null>(null);
  const olderName = picked ? (diff.changedNodes.find((c) => c.name === picked)?.previousName ?? picked) : null;
  const indexes = (workflow: WorkflowDefinition, name: string | null) => {
    const i = name === null ? -1 : workflow.nodes.findIndex((n) => n.name === name);
    return i < 0 ? [] : [i];
  };
  const pick = (workflow: WorkflowDefinition, older: boolean) => (selection: number[]) => {
    const name = workflow.nodes[selection[selection.length - 1] ?? -1]?.name;
    setPicked(name === undefined ? null : older ? newerName(diff, name) : name);
  };
  const group = picked === null ? undefined : groups.find((g) => g.node === picked);
  const links = picked === null ? [] : linksAt(diff, [...new Set([picked, olderName ?? picked])]);

  return (
    <div className={styles.compare} data-testid="compare-canvas">
      <p className={styles.legend}>
        <span className={styles.added}>+ added</span> <span className={styles.removed}>− removed</span>{' '}
        <span className={styles.changed}>~ changed</span> — from the left version to the right one; click a node for its
        values.
      </p>
      <div className={styles.sides}>
        {(
          [
            [from, marks.from, true, 'compare-from'],
            [to, marks.to, false, 'compare-to'],
          ] as const
        ).map(([side, sideMarks, older, testId]) => (
          <section key={testId} className={styles.side} aria-label={`${older ? 'From' : 'To'}: ${side.label}`}>
            <h3 className={styles.caption}>
              {older ? 'From' : 'To'}: {side.label}
            </h3>
            <WorkflowCanvas
              workflow={side.workflow}
              label={`Canvas of ${side.label}`}
              readOnly
              marks={sideMarks}
              selection={indexes(side.workflow, older ? olderName : picked)}
              onSelectionChange={pick(side.workflow, older)}
              height={340}
              testId={testId}
            />
          </section>
        ))}
      </div>
      {picked !== null && (
        <div className={styles.detail} data-testid="compare-node">
          <h3 className={styles.caption}>
            Node “{picked}”{olderName !== picked && <span className="muted"> (was “{olderName}”)</span>}
            {group?.kind === 'added' && <span className="muted"> · only in {to.label}</span>}
            {group?.kind === 'removed' && <span className="muted"> · only in {from.label}</span>}
            {!group && <span className="muted"> · the same on both sides</span>}
          </h3>
          {group && (
            <table className={`table ${styles.values}`} data-testid="compare-values">
              <thead>
                <tr>
                  <th scope="col">What</th>
                  <th scope="col">{from.label}</th>
                  <th scope="col">{to.label}</th>
                </tr>
              </thead>
              <tbody>
                {group.rows.map((row, i) => (
                  <tr key={i} data-testid="compare-value">
                    <td>{row.what}</td>
                    <td className={styles.older}>
                      <code>{row.theirs}</code>
                    </td>
                    <td className={styles.newer}>
                      <code>{row.mine}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {links.length > 0 && (
            <ul className={styles.links} data-testid="compare-node-links">
              {links.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
