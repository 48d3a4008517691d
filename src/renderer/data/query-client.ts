import { QueryClient } from '@tanstack/react-query';
import type { CallChannel, CallInput } from '../../shared/contract';
import { AppError } from '../../shared/result';

/** The key of a call's answer: the channel first, so events invalidate by channel prefix. */
export const callKey = <C extends CallChannel>(channel: C, input?: CallInput<C>): readonly unknown[] =>
  input === undefined ? [channel] : [channel, input];

/** Tries again for errors the core calls retryable (n8n restarting, rate limits), twice. */
export const shouldRetry = (failures: number, error: unknown): boolean =>
  failures < 2 && error instanceof AppError && error.retryable;

/** One client for the window: every view shares its cache, so two views of a list agree. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        // Events keep the cache fresh; a view shown again within this window does not refetch.
        staleTime: 30_000,
        // The transport waits for the connection itself; navigator.onLine says nothing about it.
        networkMode: 'always',
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
      },
      mutations: { networkMode: 'always', retry: false },
    },
  });
}
