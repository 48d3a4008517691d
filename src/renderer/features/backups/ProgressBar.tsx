/** A progress bar; indeterminate while the total is unknown. */
export function ProgressBar({
  label,
  done,
  total,
  testId,
}: {
  label: string;
  done: number;
  total: number;
  testId: string;
}) {
  return (
    <div className="row" data-testid={testId}>
      <progress max={total > 0 ? total : undefined} value={total > 0 ? done : undefined} aria-label={label} />
      <span className="muted">
        {label}
        {total > 0 ? ` ${done.toLocaleString()} / ${total.toLocaleString()}` : done ? ` ${done.toLocaleString()}` : ''}
      </span>
    </div>
  );
}
