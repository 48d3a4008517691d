import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { createClients, type ClientOptions, type Clients } from '../n8n/clients';
import { testConnection } from '../n8n/connection-test';
import { createSync, type Sync, type SyncOptions } from '../n8n/sync';
import { createWebhookProbe } from './health-probe';
import { createInstanceHealth, type HealthOptions, type InstanceHealthMonitor } from './instance-health';
import { createInstancesService, type InstancesService } from './instances-service';
import { createFileKeyBox, type SecretBox } from './secret-box';

/** How the core talks to n8n: client pools, the background sync and the health probe (all optional). */
export type N8nOptions = ClientOptions & SyncOptions & { health?: HealthOptions };

/**
 * n8n instances: profiles with sealed keys, connection tests, and the background sync that
 * keeps each instance's workflows and executions in the store.
 */
export function createInstancesModule(
  ctx: CoreContext,
  audit: AuditLog,
  options: { secretBox?: SecretBox; n8n?: N8nOptions } = {},
): FeatureModule<'instances'> & {
  service: InstancesService;
  clients: Clients;
  sync: Sync;
  health: InstanceHealthMonitor;
} {
  const box = options.secretBox ?? createFileKeyBox(ctx.dataDir, ctx.logger);
  const service = createInstancesService(ctx, audit, box);
  const clients = createClients(service, options.n8n);
  const sync = createSync(ctx, service, (id) => clients.forInstance(id), options.n8n);
  const ownProbe = options.n8n?.health?.probe ? undefined : createWebhookProbe();
  const health = createInstanceHealth(ctx, service, {
    ...options.n8n?.health,
    ...(ownProbe ? { probe: ownProbe } : {}),
    ...(options.n8n?.timers && !options.n8n.health?.timers ? { timers: options.n8n.timers } : {}),
  });

  return {
    service,
    clients,
    sync,
    health,
    handlers: {
      'instances:list': () => ({ instances: service.list() }),
      'instances:add': (input) => {
        const added = service.add(input);
        sync.schedule(added.id, 0);
        health.probeSoon(added.id);
        return added;
      },
      'instances:update': (input) => {
        const updated = service.update(input);
        clients.evict(updated.id);
        if (input.patch.baseUrl || input.patch.apiKey || input.patch.syncEnabled !== undefined)
          sync.schedule(updated.id, 0);
        return updated;
      },
      'instances:remove': async ({ id }) => {
        service.get(id);
        await sync.halt(id);
        const removed = service.remove(id);
        // The halted pass may have planned a next one on its way out.
        sync.cancel(id);
        clients.evict(id);
        health.forget(id);
        return removed;
      },
      'instances:test': async (input) => {
        if ('id' in input) return testConnection(clients.forInstance(input.id));
        const client = clients.temporary(input.baseUrl, input.apiKey);
        try {
          return await testConnection(client);
        } finally {
          await client.close();
        }
      },
      'instances:syncNow': ({ id }) => sync.syncNow(id),
      'instances:syncLog': ({ id, limit }) => ({ entries: sync.syncLog(id, limit) }),
    },
    start() {
      service.bindLegacyKeys();
      sync.start();
      health.start();
    },
    restored() {
      // The rows may belong to other instances now: keys from an older backup are bound to
      // theirs, clients built from old rows are closed, and every instance syncs afresh from
      // its restored state (a new one at once, a changed one with its new address).
      service.forgetCached();
      service.bindLegacyKeys();
      clients.evictStale();
      const present = service.list();
      const ids = new Set(present.map((i) => i.id));
      ctx.store.write((announce) => present.forEach((instance) => announce('instances:changed', instance)));
      for (const id of sync.known()) if (!ids.has(id)) sync.restart(id);
      // Spread a little, as at start, so many instances do not all start at the same instant.
      present.forEach((instance, i) => sync.restart(instance.id, 250 * i));
      // Health as restored is re-read, and checked again soon.
      for (const id of ids) {
        health.forget(id);
        health.probeSoon(id);
      }
    },
    async stop() {
      health.stop();
      const stopping = sync.stop();
      await clients.destroyAll();
      await stopping;
      await ownProbe?.close();
    },
  };
}
