/**
 * How the drafts area words a failed action: what failed, the core's reason, and what to do next.
 * Actions here show it inline, beside the button that failed, instead of a toast far away.
 */
import { useCallback, useState } from 'react';
import type { CallChannel, CallInput, CallOutput } from '../../../shared/contract';
import { AppError } from '../../../shared/result';
import { api } from '../../api/client';
import { failureText } from './failure-text';

export { failureText } from './failure-text';

/** A call whose failure the caller shows itself (inline): throws a typed AppError, no toast. */
export async function ask<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> {
  const result = await api.call(channel, input);
  if (result.ok) return result.data;
  throw new AppError(result.error.code, result.error.message, {
    retryable: result.error.retryable,
    details: result.error.details,
  });
}

/**
 * An action whose failure is said inline: `attempt("Saving the draft", save)` runs it and, if it
 * fails, sets `problem` to the worded failure (cleared when the next action starts).
 */
export function useAttempt() {
  const [problem, setProblem] = useState<string | null>(null);
  const attempt = useCallback((what: string, action: () => Promise<void>) => {
    setProblem(null);
    void action().catch((error: unknown) => setProblem(failureText(what, error)));
  }, []);
  return { problem, setProblem, attempt };
}
