import { PREVIEW_EXECUTION_ID } from '../dispatch/webhook-request';
import { afterEach, describe, expect, it } from 'vitest';
import { mappingInputSchema, type MappingInput } from '../../../shared/contract/mappings';
import { AppError } from '../../../shared/result';
import { testContext } from '../testing/test-core';
import { conditionHolds } from './conditions';
import { createMappingService } from './mapping-service';
import { applyTransform } from './transform';

const input = (over: Partial<MappingInput> = {}) =>
  mappingInputSchema.parse({ event: 'order.created', instanceId: 'dev', webhookPath: 'orders/new', ...over });

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

function service() {
  const t = testContext();
  cleanups.push(t.cleanup);
  const events: string[] = [];
  t.bus.subscribe((e) => events.push(e));
  const svc = createMappingService(t.ctx, t.audit, {
    instanceBaseUrl: (id) => (id === 'dev' ? 'http://127.0.0.1:5678/' : null),
  });
  return { ...t, svc, events };
}

const expectCode = (fn: () => unknown, code: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    return (e as AppError).message;
  }
  throw new Error(`expected ${code}`);
};

describe('conditions', () => {
  const payload = { amount: 42, customer: { tier: 'gold', tags: ['vip', 'eu'] }, note: 'rush order' };
  it.each([
    [{ path: 'amount', op: 'lt', value: 100 }, true],
    [{ path: 'amount', op: 'gte', value: 42 }, true],
    [{ path: 'amount', op: 'gt', value: '41' }, false], // a string does not order against a number
    [{ path: 'customer.tier', op: 'in', value: ['gold', 'platinum'] }, true],
    [{ path: 'customer.tags', op: 'contains', value: 'vip' }, true],
    [{ path: 'note', op: 'contains', value: 'rush' }, true],
    [{ path: 'customer.missing', op: 'missing' }, true],
    [{ path: 'customer', op: 'exists' }, true],
    [{ path: 'customer.tier', op: 'ne', value: 'gold' }, false],
    [{ path: 'customer.tags.1', op: 'eq', value: 'eu' }, true],
    [{ path: 'constructor', op: 'exists' }, false],
  ] as const)('%j → %s', (condition, expected) => {
    expect(conditionHolds(condition as never, payload)).toBe(expected);
  });
});

describe('transform', () => {
  const payload = { order: { id: 7, total: 12.5, secret: 'x' }, user: 'ana' };
  it('passes the payload through untouched by default', () => {
    expect(applyTransform(input().transform, payload)).toBe(payload);
  });
  it('picks, renames and adds constants without touching the input', () => {
    const t = input({
      transform: {
        mode: 'pick',
        fields: [{ from: 'order.id', to: 'id' }, { from: 'order.total' }, { from: 'nope' }],
        constants: [{ to: 'source', value: 'flightdeck' }],
      },
    }).transform;
    expect(applyTransform(t, payload)).toEqual({ id: 7, order: { total: 12.5 }, source: 'flightdeck' });
    expect(payload.order.secret).toBe('x');
  });
  it('cannot write to a prototype through a constant path', () => {
    expect(() =>
      input({ transform: { mode: 'pick', fields: [], constants: [{ to: '__proto__.polluted', value: 1 }] } }),
    ).toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('mapping service', () => {
  it('hands concurrency and rate limits to the queue on save, and clears them on remove', () => {
    const t = testContext();
    cleanups.push(t.cleanup);
    const applied: unknown[] = [];
    const svc = createMappingService(t.ctx, t.audit, {
      instanceBaseUrl: () => 'http://127.0.0.1:5678',
      applyLimits: (id, limits) => applied.push([id, limits]),
    });
    const m = svc.create(input({ concurrency: 2, rateLimit: { max: 10, perMs: 1000 } }));
    svc.remove(m.id);
    expect(applied).toEqual([
      [m.id, { concurrency: 2, rate: { max: 10, windowMs: 1000 } }],
      [m.id, null],
    ]);
  });

  it('creates, updates, lists and removes with an audit trail and events', () => {
    const { svc, events, audit } = service();
    const created = svc.create(input());
    expect(created).toMatchObject({ event: 'order.created', name: 'order.created', priority: 5, active: true });
    const updated = svc.update(created.id, input({ priority: 1, name: 'Orders' }));
    expect(updated).toMatchObject({ id: created.id, priority: 1, name: 'Orders' });
    expect(svc.list()).toHaveLength(1);
    svc.remove(created.id);
    expect(svc.list()).toEqual([]);
    expect(events.filter((e) => e === 'mappings:changed')).toHaveLength(3);
    expect(audit.list({ limit: 10 }).entries.map((e) => e.action)).toEqual([
      'mapping.remove',
      'mapping.update',
      'mapping.create',
    ]);
  });

  it('rejects an unknown instance or id and changes nothing', () => {
    const { svc } = service();
    expect(expectCode(() => svc.create(input({ instanceId: 'ghost' })), 'VALIDATION')).toMatch(
      /Unknown instance ghost/,
    );
    expectCode(() => svc.update('nope', input()), 'NOT_FOUND');
    expectCode(() => svc.remove('nope'), 'NOT_FOUND');
    expect(svc.list()).toEqual([]);
  });

  it('previews the exact request and explains each condition', () => {
    const { svc } = service();
    const fields = input({ conditions: [{ path: 'amount', op: 'lt', value: 100 }] });
    expect(svc.preview(fields, { amount: 150 })).toEqual({
      matches: false,
      conditionResults: [{ condition: 'amount lt 100', passed: false }],
      request: {
        method: 'POST',
        url: 'http://127.0.0.1:5678/webhook/orders/new',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Flightdeck',
          'x-flightdeck-event': 'order.created',
          'x-flightdeck-execution-id': PREVIEW_EXECUTION_ID,
        },
        body: { amount: 150 },
        bodyText: '{"amount":150}',
      },
    });
  });

  it('routes an event to the active mappings whose conditions hold', () => {
    const { svc } = service();
    const small = svc.create(input({ conditions: [{ path: 'amount', op: 'lt', value: 100 }] }));
    svc.create(input({ conditions: [{ path: 'amount', op: 'gte', value: 100 }] }));
    svc.create(input({ active: false }));
    expect(svc.matching('order.created', { amount: 5 }).map((m) => m.id)).toEqual([small.id]);
    expect(svc.matching('other.event', { amount: 5 })).toEqual([]);
  });

  it('exports and imports: dry run first, then all or nothing', () => {
    const { svc } = service();
    const a = svc.create(input());
    const doc = svc.exportDocument();
    expect(svc.importDocument(doc, true)).toEqual({ added: 0, updated: 0, unchanged: 1, dryRun: true });

    const edited = {
      ...doc,
      mappings: [
        { ...doc.mappings[0]!, priority: 0 },
        { ...doc.mappings[0]!, id: undefined, event: 'x.y' },
      ],
    };
    expect(svc.importDocument(edited, true)).toEqual({ added: 1, updated: 1, unchanged: 0, dryRun: true });
    expect(svc.get(a.id).priority).toBe(5); // dry run wrote nothing
    expect(svc.importDocument(edited, false)).toMatchObject({ added: 1, updated: 1 });
    expect(svc.list()).toHaveLength(2);

    const bad = {
      ...doc,
      mappings: [
        { ...doc.mappings[0]!, priority: 0 },
        { ...doc.mappings[0]!, instanceId: 'ghost' },
      ],
    };
    expectCode(() => svc.importDocument(bad, false), 'VALIDATION');
    expect(svc.get(a.id).priority).toBe(0); // unchanged by the failed import
    expect(expectCode(() => svc.importDocument({ kind: 'something else' }, false), 'VALIDATION')).toMatch(
      /mappings file/,
    );
  });
});
