import { useEffect, useState, type ReactNode } from 'react';
import type { WorkflowDefinition } from '../../../shared/contract';
import { useCall } from '../../data/calls';
import { Loaded } from '../LoadError';
import { JsonEditor } from './JsonEditor';
import { typeLabel } from './graph';
import { WorkflowCanvas, type CanvasRun } from './WorkflowCanvas';
import styles from './ReadOnlyCanvas.module.css';

/**
 * A workflow to look at, not edit: pan, zoom, select a node to read its parameters; "Full view"
 * gives it the whole window (Escape closes). Runs, when given, mark what each node did.
 */
export function ReadOnlyCanvas(props: {
  workflow: Pick<WorkflowDefinition, 'nodes' | 'connections'>;
  label: string;
  runs?: Record<string, CanvasRun>;
  /** A line above the canvas (where the definition came from, a run's summary). */
  note?: ReactNode;
  testId: string;
  height?: number;
}) {
  const [selection, setSelection] = useState<number[]>([]);
  const [full, setFull] = useState(false);
  useEffect(() => {
    if (!full) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setFull(false);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [full]);
  const node = selection.length === 1 ? props.workflow.nodes[selection[0] ?? -1] : undefined;
  const run = node && props.runs ? props.runs[node.name] : undefined;

  return (
    <div className={full ? `${styles.wrap} ${styles.full}` : styles.wrap} data-testid={props.testId}>
      <div className={styles.bar}>
        <span className={styles.note}>{props.note}</span>
        <button type="button" onClick={() => setFull(!full)} aria-pressed={full} data-testid={`${props.testId}-full`}>
          {full ? 'Close full view' : 'Full view'}
        </button>
      </div>
      <WorkflowCanvas
        workflow={props.workflow}
        label={props.label}
        readOnly
        {...(props.runs ? { runs: props.runs } : {})}
        selection={selection}
        onSelectionChange={setSelection}
        height={full ? 'auto' : (props.height ?? 360)}
        fitKey={full ? 'full' : 'panel'}
        testId={`${props.testId}-canvas`}
      />
      {node && (
        <div className={styles.detail} data-testid={`${props.testId}-node`}>
          <strong>{node.name}</strong>{' '}
          <span className="muted small">
            {typeLabel(node.type)} · {node.type} v{node.typeVersion}
            {node.disabled ? ' · disabled' : ''}
          </span>
          {run?.error && (
            <p className={styles.error} role="note">
              {run.error}
            </p>
          )}
          <JsonEditor
            key={`${selection[0]}-${node.name}`}
            value={JSON.stringify(node.parameters, null, 2)}
            onChange={() => undefined}
            label={`Parameters of ${node.name} (read only)`}
            readOnly
          />
        </div>
      )}
    </div>
  );
}

/** The read-only canvas of a synced workflow (Workflows area's detail). */
export function SyncedWorkflowCanvas(props: { instanceId: string; workflowId: string; name: string }) {
  const query = useCall('workflows:definition', { instanceId: props.instanceId, workflowId: props.workflowId });
  return (
    <Loaded query={query} what="the workflow's canvas">
      {(data) => (
        <ReadOnlyCanvas
          workflow={data.workflow}
          label={`Canvas of ${props.name}`}
          testId="workflow-canvas"
          note={
            data.source === 'snapshot'
              ? `n8n cannot be reached: shown as in the snapshot of ${new Date(data.takenAtMs ?? 0).toLocaleString()}.`
              : data.version === 'published'
                ? 'The version n8n runs.'
                : 'The saved version.'
          }
        />
      )}
    </Loaded>
  );
}
