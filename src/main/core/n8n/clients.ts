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
 * One client (one keep-alive pool) per instance, rebuilt when the instance's address or key
 * changes. The decrypted key lives only inside the client.
 */
export function createClients(instances: InstancesService, options: ClientOptions = {}) {
  const cache = new Map<string, { stamp: number; client: N8nClient }>();

  const make = (baseUrl: string, apiKey: string) =>
    new N8nClient({
      baseUrl,
      apiKey,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });

  function forInstance(id: string): N8nClient {
    const instance = instances.get(id);
    const cached = cache.get(id);
    if (cached && cached.stamp === instance.updatedAtMs) return cached.client;
    if (cached) void cached.client.close();
    const client = make(instance.baseUrl, instances.apiKeyOf(id));
    cache.set(id, { stamp: instance.updatedAtMs, client });
    return client;
  }

  function evict(id: string): void {
    const cached = cache.get(id);
    cache.delete(id);
    if (cached) void cached.client.close();
  }

  return {
    forInstance,
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
