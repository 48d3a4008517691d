import type { Dispatcher } from 'undici';
import type { InstancesService } from '../instances/instances-service';
import { N8nClient } from './client';

export interface ClientOptions {
  /** Shared dispatcher for every instance (tests: an undici MockAgent); default: a keep-alive pool each. */
  dispatcher?: Dispatcher;
  /** Per-request timeout (ms). Default 15 000. */
  timeoutMs?: number;
  /** Extra attempts for idempotent calls. Default 2. */
  retries?: number;
}

/**
 * One client (one keep-alive pool) per instance, rebuilt when what it is built from changes:
 * the address or the sealed key, however they changed (an edit, a restore, a re-sealed key).
 * The decrypted key lives only inside the client.
 */
export function createClients(instances: InstancesService, options: ClientOptions = {}) {
  const cache = new Map<string, { stamp: string; client: N8nClient }>();

  const make = (baseUrl: string, apiKey: string) =>
    new N8nClient({
      baseUrl,
      apiKey,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });

  function forInstance(id: string): N8nClient {
    const stamp = instances.connectionStamp(id);
    const cached = cache.get(id);
    if (cached && cached.stamp === stamp) return cached.client;
    evict(id);
    const client = make(instances.get(id).baseUrl, instances.apiKeyOf(id));
    // Opening the key may have re-sealed it (bound to its instance): remember the stored form.
    cache.set(id, { stamp: instances.connectionStamp(id), client });
    return client;
  }

  /** Closes the clients of instances that are gone or no longer match their row (after a restore). */
  function evictStale(): void {
    for (const [id, cached] of cache) {
      const current = instances.find(id) ? instances.connectionStamp(id) : null;
      if (current !== cached.stamp) evict(id);
    }
  }

  function evict(id: string): void {
    const cached = cache.get(id);
    cache.delete(id);
    if (cached) void cached.client.close().catch(() => undefined); // a pool that fails to close is gone anyway
  }

  return {
    forInstance,
    evictStale,
    /** A throwaway client for testing an unsaved profile. */
    temporary: make,
    evict,
    async destroyAll(): Promise<void> {
      const all = [...cache.values()];
      cache.clear();
      await Promise.allSettled(all.map((c) => c.client.destroy()));
    },
  };
}

export type Clients = ReturnType<typeof createClients>;
