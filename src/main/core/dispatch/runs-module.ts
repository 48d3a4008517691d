import type { FeatureModule } from '../handlers';
import { createRunActions, type RunActionsDeps } from './run-actions';
import { createSavedViews } from './saved-views';

export function createRunsModule(deps: RunActionsDeps): FeatureModule<'runs'> {
  const actions = createRunActions(deps);
  const views = createSavedViews(deps.ctx.store, () => deps.ctx.clock.now());
  return {
    handlers: {
      'runs:detail': ({ id }) => actions.detail(id),
      'runs:retry': (input) => actions.retry(input),
      'runs:lineage': ({ id }) => actions.lineage(id),
      'runs:refs': ({ ids }) => actions.refs(ids),
      'runs:cancel': ({ ids, reason }) => actions.cancel(ids, reason),
      'runs:requeue': ({ ids, reason }) => actions.requeue(ids, reason),
      'runs:listViews': () => views.list(),
      'runs:saveView': ({ name, filter }) => views.save(name, filter),
      'runs:removeView': ({ id }) => views.remove(id),
    },
  };
}
