import { randomUUID } from 'node:crypto';
import { approvalFilterSchema, type ApprovalFilter } from '../../../shared/contract/approvals';
import { AppError } from '../../../shared/result';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { FeatureModule } from '../handlers';
import { approvalDetail } from './approval-detail';
import { createApprovalService, type ApprovalService } from './approval-service';
import type { ApprovalPorts } from './ports';
import { createResumer, type Resumer, type ResumerOptions } from './resumer';
import { createRuleBook } from './rule-book';

export interface ApprovalsModuleOptions extends ResumerOptions {
  /** How often expiries, owed resumes and n8n's waiting executions are checked, ms. */
  tickMs?: number;
}

function createViews(ctx: CoreContext) {
  const { db } = ctx.store;
  type Row = { id: string; name: string; filter_json: string };
  const parse = (r: Row) => {
    const filter = approvalFilterSchema.safeParse(JSON.parse(r.filter_json));
    return filter.success ? [{ id: r.id, name: r.name, filter: filter.data }] : [];
  };
  return {
    list: () => (db.prepare('SELECT * FROM approval_views ORDER BY name').all() as Row[]).flatMap(parse),
    save(name: string, filter: ApprovalFilter) {
      const existing = db.prepare('SELECT id FROM approval_views WHERE name = ?').pluck().get(name) as
        string | undefined;
      const id = existing ?? randomUUID();
      ctx.store.write((announce) => {
        db.prepare(
          `INSERT INTO approval_views (id, name, filter_json, created_at_ms) VALUES (?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET filter_json = excluded.filter_json`,
        ).run(id, name, JSON.stringify(filter), ctx.clock.now());
        announce('approvals:configChanged', {});
      });
      return { id, name, filter };
    },
    remove(id: string) {
      const removed = ctx.store.write((announce) => {
        const n = db.prepare('DELETE FROM approval_views WHERE id = ?').run(id).changes;
        if (n) announce('approvals:configChanged', {});
        return n;
      });
      if (!removed) throw new AppError('NOT_FOUND', `No saved view with id ${id}.`);
      return { removed: true };
    },
  };
}

/**
 * The approval inbox. `start()` applies expiries that fell due while the app was closed and
 * retries resumes that were owed to n8n, then keeps doing both on a timer.
 */
export function createApprovalsModule(
  ctx: CoreContext,
  audit: AuditLog,
  ports: ApprovalPorts,
  options: ApprovalsModuleOptions = {},
): FeatureModule<'approvals'> & {
  service: ApprovalService;
  resumer: Resumer;
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
} {
  const rules = createRuleBook(ctx, audit);
  const resumer = createResumer(ctx, ports, options);
  const service = createApprovalService(ctx, audit, ports, rules, resumer);
  const views = createViews(ctx);
  let timer: NodeJS.Timeout | undefined;

  async function tick(): Promise<void> {
    try {
      service.applyDueExpiries();
      await service.syncWaiting();
      await resumer.drain();
    } catch (error) {
      ctx.logger.error('Approvals background check failed', { error });
    }
  }

  return {
    service,
    resumer,
    tick,
    start() {
      void tick();
      timer = setInterval(() => void tick(), options.tickMs ?? 10_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await resumer.stop();
    },
    restored() {
      ctx.store.write((announce) => {
        announce('approvals:changed', { ids: [] });
        announce('approvals:configChanged', {});
      });
      // Restored items may be past their expiry, or owe n8n a resume: check now, not in 10 s.
      if (timer !== undefined) void tick();
    },
    handlers: {
      'approvals:list': ({ filter, limit }) => service.list(filter, limit),
      'approvals:count': () => service.count(),
      'approvals:get': ({ id }) => ({ ...approvalDetail(ctx, audit, service.rows, id), quorum: service.quorum(id) }),
      'approvals:decide': ({ id, decision, comment }) => service.decide(id, decision, comment),
      'approvals:decideMany': ({ ids, decision, comment }) => service.decideMany(ids, decision, comment),
      'approvals:claim': ({ id, assignee }) => service.claim(id, assignee),
      'approvals:comment': ({ id, body }) => service.comment(id, body),
      'approvals:expiredNotice': () => service.expiredNotice(),
      'approvals:acknowledgeExpired': ({ ids }) => service.acknowledgeExpired(ids),
      'approvals:retryResumes': async () => {
        resumer.retryNow();
        return { attempted: await resumer.drain() };
      },
      'approvals:listRules': () => rules.list(),
      'approvals:saveRule': ({ id, rule }) => rules.save(id, rule),
      'approvals:removeRule': ({ id }) => rules.remove(id),
      'approvals:dryRunRule': ({ rule, limit }) => rules.dryRun(rule, limit),
      'approvals:runRules': () => service.runRules(),
      'approvals:listViews': () => views.list(),
      'approvals:saveView': ({ name, filter }) => views.save(name, filter),
      'approvals:removeView': ({ id }) => views.remove(id),
    },
  };
}
