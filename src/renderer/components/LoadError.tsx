import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { AppError } from '../../shared/result';
import styles from './LoadError.module.css';

/** What a failed load says in place of the data: what failed, why, and a Retry. Never an empty list. */
export function LoadError({ what, error, retry }: { what: string; error: Error | null; retry(): void }) {
  return (
    <div
      className={styles.box}
      role="alert"
      data-testid="load-error"
      data-code={error instanceof AppError ? error.code : undefined}
    >
      <p className={styles.text}>
        <strong>Could not load {what}.</strong> {error?.message ?? 'The core did not answer.'}
      </p>
      <button type="button" onClick={retry} data-testid="load-retry">
        Retry
      </button>
    </div>
  );
}

/**
 * Renders a query: "Loading…" until the first answer, `LoadError` when it failed (the last good
 * data is not shown as if current), else the children with the data.
 */
export function Loaded<T>({
  query,
  what,
  children,
}: {
  query: UseQueryResult<T, Error>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isError) return <LoadError what={what} error={query.error} retry={() => void query.refetch()} />;
  if (query.data === undefined)
    return (
      <p className="muted" data-testid="loading">
        Loading {what}…
      </p>
    );
  return <>{children(query.data)}</>;
}
