import { useCall } from '../../data/calls';

/**
 * Firing alerts nobody has acknowledged or silenced, beside "Metrics" in the navigation. Kept
 * fresh by the data layer (alerts:fired, :resolved and :changed invalidate it).
 */
export function AlertsBadge({ className, testId = 'alerts-badge' }: { className?: string; testId?: string }) {
  // A silence that runs out announces nothing: a slow poll brings such an alert back.
  const counts = useCall('alerts:counts', {}, { refetchInterval: 60_000 });
  const n = counts.data?.unacknowledged ?? 0;
  if (n === 0) return null;
  return (
    <span
      className={className ?? 'nav-badge nav-badge-high'}
      data-testid={testId}
      title={`${n} firing alert${n === 1 ? '' : 's'} not acknowledged`}
    >
      {n}
    </span>
  );
}
