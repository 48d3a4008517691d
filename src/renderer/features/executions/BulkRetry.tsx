import { useState } from 'react';
import type { CallOutput, ExecutionFilter } from '../../../shared/contract';
import { send } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CanButton } from '../../components/Guarded';

type Outcome = CallOutput<'runs:retry'>;

/**
 * Bulk retry of the selection or of everything matching the filter: a dry run first (how many,
 * which workflows), then the retry with per-item results.
 */
export function BulkRetry(props: { selected: number[]; filter: ExecutionFilter; onDone(): void }) {
  const [plan, setPlan] = useState<{
    target: { ids: number[] } | { filter: ExecutionFilter };
    preview: Outcome['preview'];
  } | null>(null);
  const [result, setResult] = useState<Outcome['results']>(null);

  const start = async (target: { ids: number[] } | { filter: ExecutionFilter }) => {
    setResult(null);
    const dry = await send('runs:retry', { ...target, dryRun: true });
    setPlan({ target, preview: dry.preview });
  };
  const run = async () => {
    if (!plan) return;
    const target = plan.target;
    setPlan(null);
    const done = await send('runs:retry', { ...target, dryRun: false });
    setResult(done.results);
    props.onDone();
  };
  const failed = result?.filter((r) => !r.ok) ?? [];

  return (
    <>
      <CanButton channel="runs:retry"
        type="button"
        disabled={props.selected.length === 0}
        onClick={() => void start({ ids: props.selected }).catch(() => undefined)}
        data-testid="bulk-retry-selected"
      >
        Retry selected ({props.selected.length})
      </CanButton>
      <CanButton channel="runs:retry"
        type="button"
        onClick={() => void start({ filter: props.filter }).catch(() => undefined)}
        data-testid="bulk-retry-filter"
      >
        Retry all matching…
      </CanButton>
      {result && (
        <span role="status" className="small" data-testid="bulk-result">
          {result.length - failed.length} retried, {failed.length} refused
          {failed.length > 0 &&
            `: ${failed
              .slice(0, 3)
              .map((f) => `#${f.id} ${f.message}`)
              .join('; ')}`}
        </span>
      )}
      {plan && (
        <ConfirmDialog
          title={`Retry ${plan.preview.count} runs?`}
          confirmLabel={`Retry ${plan.preview.count}`}
          onCancel={() => setPlan(null)}
          onConfirm={() => void run().catch(() => undefined)}
        >
          <ul data-testid="bulk-preview">
            {plan.preview.byTarget.map((t) => (
              <li key={`${t.source}${t.instanceId}${t.workflowId}`}>
                {t.count} × {t.workflowId ?? 'unknown workflow'} (
                {t.source === 'local' ? 'queued again' : 'retried by n8n, one at a time'})
              </li>
            ))}
          </ul>
          Queued retries respect each mapping&apos;s and instance&apos;s rate and concurrency limits.
        </ConfirmDialog>
      )}
    </>
  );
}
