import type { NodeRun } from '../../../shared/contract';
import { useCall } from '../../data/calls';
import { runsByNode } from './execution-runs';
import { Loaded } from '../LoadError';
import { ReadOnlyCanvas } from './ReadOnlyCanvas';

/**
 * An n8n execution on its workflow's canvas: which nodes ran (and how many items they gave),
 * which failed, which did not run. The workflow is drawn as n8n has it now; a node renamed or
 * removed since shows as not run.
 */
export function ExecutionCanvas(props: { instanceId: string; workflowId: string; nodes: readonly NodeRun[] }) {
  const query = useCall('workflows:definition', { instanceId: props.instanceId, workflowId: props.workflowId });
  const runs = runsByNode(props.nodes);
  return (
    <Loaded query={query} what="the workflow's canvas">
      {(data) => {
        const names = new Set(data.workflow.nodes.map((n) => n.name));
        const missing = Object.keys(runs).filter((name) => !names.has(name));
        const ran = Object.keys(runs).length - missing.length;
        const failed = Object.values(runs).filter((r) => r.status === 'error').length;
        return (
          <ReadOnlyCanvas
            workflow={data.workflow}
            label={`Run of ${data.workflow.name}`}
            runs={runs}
            testId="execution-canvas"
            height={320}
            note={
              <>
                {ran} of {data.workflow.nodes.length} nodes ran{failed > 0 ? `, ${failed} failed` : ''}. Drawn as the
                workflow is now{data.source === 'snapshot' ? ' (from a snapshot: n8n cannot be reached)' : ''}
                {missing.length > 0 ? `; no longer in it: ${missing.join(', ')}` : ''}.
              </>
            }
          />
        );
      }}
    </Loaded>
  );
}
