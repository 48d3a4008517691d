import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import type { PromotionPort } from './promote-port';
import { createPromotions, type Promotions } from './promote-service';
import { createVariables } from './variables';

/** Promotion of workflows from one instance into another: plan, promote, roll back. */
export function createPromotionsModule(
  ctx: CoreContext,
  audit: AuditLog,
  port: PromotionPort,
): FeatureModule<'promotions'> & { promotions: Promotions } {
  const variables = createVariables(ctx, audit, async (id) => (await port.listInstances()).some((i) => i.id === id));
  const promotions = createPromotions(ctx, audit, port, variables);
  return {
    promotions,
    handlers: {
      'promotions:plan': (selection) => promotions.plan(selection),
      'promotions:promote': ({ activation, expected, ...selection }) =>
        promotions.promote(selection, activation, expected),
      'promotions:list': () => promotions.list(),
      'promotions:get': ({ id }) => promotions.get(id),
      'promotions:rollback': ({ id, force }) => promotions.rollback(id, force),
      'promotions:variables': ({ instanceId }) => variables.get(instanceId),
      'promotions:setVariables': ({ instanceId, variables: list }) => variables.set(instanceId, list),
    },
    start: () => void promotions.recoverInterrupted(),
    follow(event, payload) {
      if (event !== 'instances:removed') return;
      const { id } = payload as { id?: unknown };
      if (typeof id === 'string') variables.forget(id);
    },
    restored() {
      promotions.recoverInterrupted();
      ctx.store.write((announce) => {
        announce('promotions:changed', { id: 0 });
        announce('promotions:variablesChanged', { instanceId: null });
      });
    },
  };
}
