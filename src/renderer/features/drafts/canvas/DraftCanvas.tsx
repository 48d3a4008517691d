import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { WorkflowDefinition } from '../../../../shared/contract';
import { isTriggerType } from '../../../../shared/drafts/workflow-model';
import { Picker } from '../../../components/Picker';
import { addNode, connect, nextPosition, removeNodes } from '../../../components/workflow-canvas/graph';
import type { NodeTypeChoice } from '../../../components/workflow-canvas/node-types';
import { WorkflowCanvas } from '../../../components/workflow-canvas/WorkflowCanvas';
import type { History } from './use-history';
import styles from './DraftCanvas.module.css';

/** What the drafts editor keeps undoable: the workflow and the editors' keys of its nodes. */
export interface DraftState {
  workflow: WorkflowDefinition;
  keys: number[];
}

/**
 * A draft on the canvas: add nodes from the types the instances use, connect, move, delete with
 * undo (Ctrl/Cmd+Z, or the toast's Undo); the selected node's fields and parameters on the right.
 */
export function DraftCanvas(props: {
  history: History<DraftState>;
  nodeTypes: NodeTypeChoice[];
  /** The editor of one node (the inspector). */
  renderNode(index: number): ReactNode;
  /** Nodes left the draft (their editors' errors no longer count). */
  onNodesRemoved(keys: number[]): void;
}) {
  const { history } = props;
  const { workflow, keys } = history.value;
  const [selection, setSelection] = useState<number[]>([]);
  const [toast, setToast] = useState<string | null>(null);
  const split = useRef<HTMLDivElement>(null);
  const height = useWindowFill(split);

  // Undo and redo change what the indexes point at: start from a clean selection.
  useEffect(() => setSelection([]), [history.generation]);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 12_000);
    return () => clearTimeout(timer);
  }, [toast]);

  const record = (next: WorkflowDefinition, what: string, nextKeys = keys) =>
    history.record({ workflow: next, keys: nextKeys }, what);

  const remove = (indexes: number[]) => {
    if (indexes.length === 0) return;
    const names = indexes.map((i) => workflow.nodes[i]?.name ?? '');
    const what = names.length === 1 ? `Deleted “${names[0]}”` : `Deleted ${names.length} nodes`;
    props.onNodesRemoved(indexes.map((i) => keys[i]).filter((k): k is number => k !== undefined));
    record(
      removeNodes(workflow, indexes),
      what,
      keys.filter((_, i) => !indexes.includes(i)),
    );
    setSelection([]);
    setToast(what);
  };

  const add = (choice: NodeTypeChoice) => {
    const from = selection.length === 1 ? selection[0] : undefined;
    const anchor = from === undefined ? undefined : workflow.nodes[from];
    const position: [number, number] = anchor
      ? [anchor.position[0] + 240, anchor.position[1]]
      : nextPosition(workflow.nodes);
    let next = addNode(workflow, choice.type, choice.typeVersion, position);
    const added = next.nodes[next.nodes.length - 1];
    // As in n8n: added after the selected node, it is linked from that node's first output.
    if (anchor && added && !isTriggerType(choice.type))
      next = connect(next, {
        source: anchor.name,
        type: 'main',
        outputIndex: 0,
        target: added.name,
        targetType: 'main',
        inputIndex: 0,
      });
    record(next, `Added “${added?.name ?? choice.label}”`, [...keys, Math.max(-1, ...keys) + 1]);
    setSelection([next.nodes.length - 1]);
    setToast(null);
  };

  const options = useMemo(
    () =>
      props.nodeTypes.map((t) => ({
        value: t.type,
        label: t.label,
        detail: `${t.type} · v${t.typeVersion}`,
        tag: t.uses > 0 ? `${t.uses}× ${t.seenIn.join(', ')}` : 'core',
        tone: t.uses > 0 ? ('ok' as const) : ('muted' as const),
      })),
    [props.nodeTypes],
  );
  const selected = selection.length === 1 ? selection[0] : undefined;

  return (
    <div className={styles.wrap}>
      <div className={styles.toolbar}>
        <div className={styles.picker}>
          <Picker
            label="Add node"
            value={null}
            options={options}
            placeholder="Search node types…"
            emptyText="No known node type matches"
            onChange={(v) => {
              const choice = props.nodeTypes.find((t) => t.type === v);
              if (choice) add(choice);
            }}
            testId="d-canvas-add"
          />
        </div>
        <button
          type="button"
          disabled={selection.length === 0}
          onClick={() => remove(selection)}
          title="Delete the selected nodes (Delete key)"
          data-testid="d-canvas-delete"
        >
          Delete {selection.length > 1 ? `${selection.length} nodes` : 'node'}
        </button>
        <button
          type="button"
          disabled={!history.canUndo}
          onClick={history.undo}
          title={history.undoLabel ? `Undo: ${history.undoLabel} (Ctrl+Z)` : 'Nothing to undo'}
          data-testid="d-canvas-undo"
        >
          ↶ Undo
        </button>
        <button
          type="button"
          disabled={!history.canRedo}
          onClick={history.redo}
          title={history.redoLabel ? `Redo: ${history.redoLabel} (Ctrl+Shift+Z)` : 'Nothing to redo'}
          data-testid="d-canvas-redo"
        >
          ↷ Redo
        </button>
        <span className={styles.hint}>
          Drag from an output to an input to connect · click a link to remove it · Shift-drag selects · Delete removes
        </span>
      </div>
      <div className={styles.split} ref={split} style={{ ['--canvas-height' as string]: `${height ?? MIN_HEIGHT}px` }}>
        {/* Drawn once its height is known: React Flow fits the view to the size it first measures. */}
        {height === null ? (
          <div style={{ height: MIN_HEIGHT }} />
        ) : (
          <WorkflowCanvas
            workflow={workflow}
            label={`Canvas of ${workflow.name}`}
            selection={selection}
            onSelectionChange={setSelection}
            onChange={(next, what) => record({ ...workflow, ...next }, what)}
            onDeleteNodes={remove}
            onUndo={history.undo}
            onRedo={history.redo}
            height={height}
            fitKey={height}
            testId="d-canvas"
          />
        )}
        <aside className={styles.inspector} aria-label="Selected node" data-testid="d-inspector">
          {selected !== undefined && workflow.nodes[selected] ? (
            props.renderNode(selected)
          ) : (
            <div className={styles.help}>
              <h3>{selection.length > 1 ? `${selection.length} nodes selected` : 'No node selected'}</h3>
              <p className="muted">
                Click a node to edit its name, type and parameters here. Add nodes from the types your instances use; a
                node added while another is selected is placed and linked after it.
              </p>
              <p className="muted">
                Keys: <kbd>Delete</kbd> removes the selection, <kbd>Ctrl</kbd>+<kbd>Z</kbd> undoes, <kbd>Ctrl</kbd>+
                <kbd>Shift</kbd>+<kbd>Z</kbd> redoes.
              </p>
            </div>
          )}
        </aside>
      </div>
      {toast && (
        <div className={styles.toast} role="status" data-testid="d-canvas-toast">
          <span>{toast}.</span>
          <button
            type="button"
            onClick={() => {
              history.undo();
              setToast(null);
            }}
            data-testid="d-canvas-toast-undo"
          >
            Undo
          </button>
          <button type="button" className={styles.close} onClick={() => setToast(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </div>
  );
}

/** Below this the canvas is too small to work in (the page scrolls instead); above it, too tall to see whole. */
const MIN_HEIGHT = 360;
const MAX_HEIGHT = 900;

/**
 * The canvas's height: from where it starts down to the window's bottom edge, so the workflow
 * (fitted and centred in it) opens in view rather than below the fold; again on window resize.
 */
function useWindowFill(at: React.RefObject<HTMLElement | null>): number | null {
  const [height, setHeight] = useState<number | null>(null);
  useLayoutEffect(() => {
    const size = () => {
      const top = at.current?.getBoundingClientRect().top ?? 0;
      setHeight(Math.round(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, window.innerHeight - top - 16))));
    };
    size();
    window.addEventListener('resize', size);
    return () => window.removeEventListener('resize', size);
  }, [at]);
  return height;
}
