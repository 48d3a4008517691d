import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { createDraftPusher, type DraftPusher } from './draft-push';
import { createDraftService, type DraftService } from './draft-service';
import { createDraftMerger } from './merge-service';
import { createHistoryActions } from './history-actions';
import type { N8nWorkflowsPort } from './n8n-port';
import { createPreflight } from './preflight-service';

/** How often queued pushes are looked at (each has its own backoff), ms. */
export const REPLAY_INTERVAL_MS = 5_000;

export function createDraftsModule(
  ctx: CoreContext,
  audit: AuditLog,
  port: N8nWorkflowsPort,
): FeatureModule<'drafts'> & { service: DraftService; pusher: DraftPusher } {
  const service = createDraftService(ctx, audit, port);
  const pusher = createDraftPusher(ctx, service, port);
  const preflight = createPreflight(ctx, service, port);
  const merger = createDraftMerger(ctx, service);
  const history = createHistoryActions(ctx, service);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    service,
    pusher,
    handlers: {
      'drafts:list': () => service.list(),
      'drafts:get': ({ id }) => service.get(id),
      'drafts:create': ({ name, instanceId }) => service.create(name, instanceId),
      'drafts:clone': ({ instanceId, workflowId, version }) => service.clone(instanceId, workflowId, version),
      'drafts:import': ({ document, instanceId }) => service.importDocument(document, instanceId),
      'drafts:update': ({ id, workflow, instanceId }) => service.update(id, workflow, instanceId),
      'drafts:remove': ({ id }) => service.remove(id),
      'drafts:diff': ({ id }) => service.diff(id),
      'drafts:push': ({ id, override }) => pusher.push(id, override),
      'drafts:rebase': ({ id }) => service.rebase(id),
      'drafts:pushes': ({ draftId }) => pusher.list(draftId),
      'drafts:merge': ({ id }) => merger.merge(id),
      'drafts:mergeApply': ({ id, remoteVersionId, remoteUpdatedAtMs, resolutions }) =>
        merger.mergeApply(id, { remoteVersionId, remoteUpdatedAtMs }, resolutions),
      'drafts:history': ({ draftId }) => history.list(draftId),
      'drafts:historyCompare': ({ draftId, from, to }) => history.compare(draftId, from, to),
      'drafts:restore': ({ draftId, versionId }) => history.restore(draftId, versionId),
      'drafts:preflight': (input) =>
        'draftId' in input
          ? preflight.forDraft(input.draftId)
          : preflight.forSnapshot(input.snapshotId, input.targetInstanceId, input.version),
    },
    start() {
      // Due times come from the injected clock; the timer only decides how often to look.
      timer = setInterval(() => {
        running = running
          .then(() => pusher.replayDue())
          .catch((error: unknown) => {
            ctx.logger.error('Replaying queued draft pushes failed', { error });
          });
      }, REPLAY_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
    // Queued pushes are read from the store at each replay: windows refetch the drafts.
    restored: () => ctx.store.write((announce) => announce('drafts:changed', { ids: [] })),
  };
}
