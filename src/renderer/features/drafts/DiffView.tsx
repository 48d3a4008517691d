import type { WorkflowDiff } from '../../../shared/contract';

/** Node-level differences, draft (mine) against n8n (theirs). */
export function DiffView({ diff, testId = 'd-diff' }: { diff: WorkflowDiff; testId?: string }) {
  if (diff.identical) {
    return (
      <p className="muted" data-testid={testId}>
        No differences: the draft matches the workflow in n8n.
      </p>
    );
  }
  return (
    <ul data-testid={testId}>
      {diff.nameChanged && <li>Workflow name changed</li>}
      {diff.addedNodes.map((n) => (
        <li key={`a-${n}`}>+ node “{n}” (only in the draft)</li>
      ))}
      {diff.removedNodes.map((n) => (
        <li key={`r-${n}`}>− node “{n}” (only in n8n)</li>
      ))}
      {diff.changedNodes.map((c) => (
        <li key={`c-${c.name}`}>
          ~ node “{c.name}”{c.previousName ? ` (was “${c.previousName}”)` : ''}: {c.fields.join(', ')}
          {c.parameterPaths.length > 0 && (
            <>
              {' '}
              — parameters <code>{c.parameterPaths.join(', ')}</code>
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
