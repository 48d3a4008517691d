import type { PromotionPlan, PromotionPlanItem, WorkflowDiff } from '../../../shared/contract';
import { StatusPill, type Tone } from '../../components/StatusPill';
import styles from './Promote.module.css';

const STATUS: Record<PromotionPlanItem['status'], { tone: Tone; words: string }> = {
  new: { tone: 'info', words: 'new' },
  changed: { tone: 'warn', words: 'changed' },
  unchanged: { tone: 'neutral', words: 'unchanged' },
};

/** Source (promoted) against target, node by node; the words say which side has what. */
function PromotionDiff({ diff }: { diff: WorkflowDiff }) {
  if (diff.identical) return <span className="muted">identical</span>;
  const lines = [
    ...(diff.nameChanged ? ['name changed'] : []),
    ...diff.addedNodes.map((n) => `+ node “${n}” (only on the source)`),
    ...diff.removedNodes.map((n) => `− node “${n}” (only on the target)`),
    ...diff.changedNodes.map(
      (c) =>
        `~ node “${c.name}”: ${c.fields.join(', ')}${c.parameterPaths.length ? ` (${c.parameterPaths.join(', ')})` : ''}`,
    ),
    ...diff.addedConnections.map((l) => `+ connection ${l}`),
    ...diff.removedConnections.map((l) => `− connection ${l}`),
    ...(diff.changedSettings.length ? [`settings: ${diff.changedSettings.join(', ')}`] : []),
  ];
  return (
    // Open when short enough to read at a glance.
    <details open={lines.length <= 6}>
      <summary>{lines.length === 1 ? '1 difference' : `${lines.length} differences`}</summary>
      <ul className={styles.lines}>
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </details>
  );
}

/** The dry run: one row per workflow, then what only the target has, then notes. */
export function PlanTable({
  plan,
  sourceName,
  targetName,
}: {
  plan: PromotionPlan;
  sourceName: string;
  targetName: string;
}) {
  return (
    <div data-testid="promote-plan-result">
      <h2 className={styles.h2}>
        Plan: {sourceName} → {targetName}{' '}
        <StatusPill tone={plan.ok ? 'ok' : 'danger'} value={plan.ok ? 'ok' : 'refused'} testId="promote-plan-verdict">
          {plan.ok ? 'ready' : 'refused'}
        </StatusPill>
      </h2>
      <table className={`table ${styles.plan}`} aria-label="Promotion plan">
        <thead>
          <tr>
            <th>Workflow</th>
            <th>On {targetName}</th>
            <th>Differences</th>
            <th>Credentials</th>
            <th>Variables</th>
            <th>Checks</th>
          </tr>
        </thead>
        <tbody>
          {plan.items.map((item) => (
            <tr key={item.sourceWorkflowId} data-testid={`promote-item-${item.name}`}>
              <td>{item.name}</td>
              <td>
                <StatusPill tone={STATUS[item.status].tone} value={item.status} testId="promote-item-status">
                  {STATUS[item.status].words}
                </StatusPill>
                {item.targetActive !== null && (
                  <span className="muted small"> {item.targetActive ? 'live there' : 'stopped there'}</span>
                )}
              </td>
              <td>{item.diff ? <PromotionDiff diff={item.diff} /> : <span className="muted">—</span>}</td>
              <td>
                {item.credentials.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className={styles.lines}>
                    {item.credentials.map((c) => (
                      <li key={`${c.node}/${c.type}`} data-testid="promote-credential" data-status={c.status}>
                        {c.name} <span className="muted small">({c.type})</span>{' '}
                        {c.status === 'mapped' || c.status === 'unverified' ? (
                          <span title={c.status === 'unverified' ? 'Same name; the target does not tell its type' : ''}>
                            → id {c.targetId}
                            {c.status === 'unverified' ? ' (type unverified)' : ''}
                          </span>
                        ) : (
                          <StatusPill tone="danger" value={c.status}>
                            {c.status}
                          </StatusPill>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                {item.variables.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className={styles.lines}>
                    {item.variables.map((v) => (
                      <li
                        key={v.name}
                        className={styles.rewrite}
                        data-testid="promote-rewrite"
                        title={`${v.count} replaced in ${v.nodes.join(', ')}`}
                      >
                        {v.name}: {v.from} → {v.to}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                {item.refusals.length === 0 ? (
                  <StatusPill tone="ok" value="ok">
                    ok
                  </StatusPill>
                ) : (
                  <ul className={`${styles.lines} ${styles.refusals}`} data-testid="promote-refusals">
                    {item.refusals.map((r) => (
                      <li key={r}>{r}</li>
                    ))}
                  </ul>
                )}
                {item.problems
                  .filter((p) => p.severity === 'warning')
                  .map((p) => (
                    <p key={`${p.node}/${p.message}`} className="small muted">
                      Check {p.node}: {p.message}
                    </p>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.targetOnly.length > 0 && (
        <p className="small" data-testid="promote-target-only">
          Only on {targetName} (left alone): {plan.targetOnly.map((w) => w.name).join(', ')}
        </p>
      )}
      <details className="small" data-testid="promote-credentials">
        <summary>
          Credentials: {plan.sourceCredentials.length} on {sourceName}, {plan.targetCredentials.length} on {targetName}{' '}
          (names and types only)
        </summary>
        {(
          [
            [sourceName, plan.sourceCredentials],
            [targetName, plan.targetCredentials],
          ] as const
        ).map(([who, list]) => (
          <p key={who}>
            {who}: {list.map((c) => `${c.name} (${c.type ?? 'type not told'})`).join(', ') || 'none'}
          </p>
        ))}
      </details>
      {plan.notes.map((n) => (
        <p key={n} className="small muted">
          {n}
        </p>
      ))}
    </div>
  );
}
