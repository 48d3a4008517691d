/**
 * The data layer: how every view reads from and writes to the core.
 *
 * - Read with `useCall(channel, input)`: a TanStack Query over the contract, keyed by
 *   `[channel, input]`. Render `<Loaded query={q} what="schedules">{(data) => …}</Loaded>` (or check
 *   `q.isError` yourself and show `<LoadError>`): a failed load shows what failed and a Retry, never
 *   an empty list, and never a toast.
 * - Write with `useAction(channel)`: `action.mutate(input)` / `await action.run(input)`. A failure
 *   lands in the toast tray (pass `{ quiet: true }` to handle it inline from `action.error`); a
 *   success marks the channel's area stale.
 * - Freshness is not the view's business: core events invalidate by channel prefix
 *   (follow-core.ts INVALIDATES), a reconnect refetches everything, a restore too. No view
 *   subscribes to events or debounces by hand, and none swallows an error with `.catch(() => undefined)`.
 */
import {
  useMutation,
  useQuery,
  type UseMutationResult,
  type UseQueryOptions,
  type UseQueryResult,
} from '@tanstack/react-query';
import type { CallChannel, CallInput, CallOutput } from '../../shared/contract';
import { AppError } from '../../shared/result';
import { api } from '../api/client';
import { toastContextOf, useErrors } from '../stores/errors-store';
import { invalidatePrefix } from './follow-core';
import { callKey, createQueryClient } from './query-client';

export { callKey } from './query-client';

export const queryClient = createQueryClient();

/** One call; a refused call is thrown as an AppError (code, message, retryable, details). */
export async function callOrThrow<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> {
  const result = await api.call(channel, input);
  if (result.ok) return result.data;
  throw new AppError(result.error.code, result.error.message, {
    retryable: result.error.retryable,
    details: result.error.details,
  });
}

type CallQueryOptions<C extends CallChannel, T> = Omit<
  UseQueryOptions<CallOutput<C>, AppError, T>,
  'queryKey' | 'queryFn'
>;

/** Reads a call's answer, cached and kept fresh by core events. */
export function useCall<C extends CallChannel, T = CallOutput<C>>(
  channel: C,
  input: CallInput<C>,
  options: CallQueryOptions<C, T> = {},
): UseQueryResult<T, AppError> {
  return useQuery<CallOutput<C>, AppError, T>({
    queryKey: callKey(channel, input),
    queryFn: () => callOrThrow(channel, input),
    ...options,
  });
}

export interface ActionOptions<C extends CallChannel> {
  /** Do not toast a failure: the view shows `error` itself (a form's own message). */
  quiet?: boolean;
  onSuccess?: (data: CallOutput<C>, input: CallInput<C>) => void;
}

export type Action<C extends CallChannel> = UseMutationResult<CallOutput<C>, AppError, CallInput<C>> & {
  /** Runs the call; resolves with the answer, or with undefined when it failed (already shown). */
  run(input: CallInput<C>): Promise<CallOutput<C> | undefined>;
};

/** Changes something through the core; failures toast, successes mark the area stale. */
export function useAction<C extends CallChannel>(channel: C, options: ActionOptions<C> = {}): Action<C> {
  const mutation = useMutation<CallOutput<C>, AppError, CallInput<C>>({
    mutationFn: (input) => callOrThrow(channel, input),
    onSuccess: (data, input) => {
      void invalidatePrefix(queryClient, `${channel.split(':')[0]}:`);
      options.onSuccess?.(data, input);
    },
    onError: (error, input) => {
      if (options.quiet) return;
      useErrors
        .getState()
        .report(
          { code: error.code, message: error.message, retryable: error.retryable, details: error.details },
          toastContextOf(channel, input),
        );
    },
  });
  const run = (input: CallInput<C>) => mutation.mutateAsync(input).catch(shownAsToast);
  return Object.assign(mutation, { run });
}

/**
 * For a promise from `send()` or an action whose failure is already a toast: ends the chain
 * without hiding anything. Named so a reader (and a grep for silent catches) can tell them apart.
 */
export const shownAsToast = (): undefined => undefined;

/** Refetches what `useCall` shows for a channel (every input), e.g. after "Reload this area". */
export const refetchChannel = (channel: CallChannel) => queryClient.invalidateQueries({ queryKey: [channel] });
