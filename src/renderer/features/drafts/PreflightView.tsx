import type { PreflightReport } from '../../../shared/contract';
import { namer, usePickerOptions } from '../../components/picker-options';

/**
 * The migration pre-flight: per workflow, the nodes the target n8n may not run and why. Shown
 * before a push or a snapshot restore (a dry run) and with the push's result.
 */
export function PreflightView({ report, testId = 'preflight' }: { report: PreflightReport; testId?: string }) {
  // The target by name, its id on hover (names, never bare ids).
  const { options } = usePickerOptions();
  const against = (
    <>
      n8n {report.targetVersion ?? '(version unknown)'} on{' '}
      <span title={report.targetInstanceId}>
        {options === null ? '…' : namer(options).instance(report.targetInstanceId)}
      </span>
    </>
  );
  return (
    <div className="panel small" data-testid={testId} data-ok={report.ok}>
      <p>
        {report.workflows.length === 0 ? (
          <>
            ✓ {report.checked} workflow(s) checked against {against}: every node type is known there.
          </>
        ) : (
          <>
            {report.workflows.length} of {report.checked} workflow(s) use node types {against} may not run
            {report.ok ? ' (warnings only).' : ': they would be created but could not be activated.'}
          </>
        )}{' '}
        <span className="muted">
          Checked with {report.checkedWith.includes('community-packages') ? "the target's community packages and " : ''}
          the node types n8n removed per major version (
          {report.version === 'published' ? 'published versions' : 'saved drafts'}
          ).
        </span>
      </p>
      {report.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
      {report.workflows.map((w) => (
        <div key={`${w.workflowId ?? ''}/${w.name}`} data-testid={`${testId}-workflow`}>
          <strong>{w.name}</strong>
          <ul>
            {w.problems.map((p) => (
              <li key={`${p.node}/${p.message}`} className={p.severity === 'error' ? 'invalid' : undefined}>
                {p.severity === 'error' ? 'Cannot run' : 'Check'} <code>{p.node}</code>{' '}
                <span className="muted">({p.type})</span>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
