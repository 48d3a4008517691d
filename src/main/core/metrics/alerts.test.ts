import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRuleInput } from '../../../shared/contract';
import { insertExecutions } from '../testing/seed-executions';
import { metricsOnDisk } from '../testing/metrics-kit';
import { testCore } from '../testing/test-core';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((fn) => fn()));

const MIN = 60_000;
const ctx = { transport: 'direct' as const };

function setup(options: Parameters<typeof metricsOnDisk>[0] = {}) {
  const t = metricsOnDisk(options);
  cleanups.push(t.cleanup);
  const h = t.module.handlers;
  const create = (rule: AlertRuleInput) =>
    h['alerts:createRule'](
      { rule: { enabled: true, cooldownMs: 0, instanceId: null, workflowId: null, ...rule } } as never,
      ctx,
    );
  const alerts = async (state?: 'open' | 'resolved') =>
    (await h['alerts:list']({ limit: 100, ...(state ? { state } : {}) }, ctx)).alerts;
  const eventNames = () => t.events.map((e) => e.event);
  return { ...t, h, create, alerts, eventNames };
}

describe('alert rules', () => {
  it('fires once on a high error rate, deduplicates, resolves, and respects the cooldown', async () => {
    const t = setup();
    const rule = await t.create({
      name: 'Orders failing',
      cooldownMs: 10 * MIN,
      workflowId: 'wf-a',
      condition: { kind: 'error_rate', thresholdPct: 50, windowMs: 10 * MIN, minRuns: 2 },
    });
    const failNow = (n: number, status: 'failed' | 'succeeded') =>
      insertExecutions(
        t.db,
        Array.from({ length: n }, () => ({
          status,
          createdAtMs: t.clock.now() - 1000,
          durationMs: 10,
          workflowId: 'wf-a',
        })),
      );

    // One failure is below minRuns: nothing fires yet.
    failNow(1, 'failed');
    expect(t.module.evaluateAlerts()).toEqual({ fired: 0, resolved: 0 });
    failNow(2, 'failed');
    failNow(1, 'succeeded');
    expect(t.module.evaluateAlerts()).toEqual({ fired: 1, resolved: 0 });
    const [open] = await t.alerts('open');
    expect(open).toMatchObject({ ruleId: rule.id, subject: 'workflow:wf-a', state: 'open', value: 75, threshold: 50 });
    expect(t.eventNames()).toContain('alerts:fired');

    // Still breached a minute later: the same alert stays open, no second one.
    t.clock.advance(MIN);
    expect(t.module.evaluateAlerts()).toEqual({ fired: 0, resolved: 0 });
    expect(await t.alerts()).toHaveLength(1);

    // The failures leave the window: resolved, with a notice.
    t.clock.advance(10 * MIN);
    expect(t.module.evaluateAlerts()).toEqual({ fired: 0, resolved: 1 });
    expect(await t.alerts('resolved')).toEqual([
      expect.objectContaining({ id: open!.id, resolvedAtMs: t.clock.now() }),
    ]);
    expect(t.eventNames()).toContain('alerts:resolved');

    // It breaches again within the cooldown: quiet. After the cooldown: a new alert.
    failNow(3, 'failed');
    t.clock.advance(MIN);
    expect(t.module.evaluateAlerts().fired).toBe(0);
    t.clock.advance(9 * MIN);
    failNow(3, 'failed');
    expect(t.module.evaluateAlerts().fired).toBe(1);
    expect(await t.alerts()).toHaveLength(2);

    const log = await t.h['monitoring:list']({ kind: 'alert.', limit: 100 }, ctx);
    expect(log.events.map((e) => e.kind)).toEqual(['alert.fired', 'alert.resolved', 'alert.fired']);
  });

  it('watches p95, instance health, queue depth and dead-letter growth through their ports', async () => {
    let depth = 3;
    let dead = 10;
    const health = [
      { instanceId: 'prod', up: true },
      { instanceId: 'dev', up: true },
    ];
    const t = setup({ gauges: { queueDepth: () => depth, deadLetters: () => dead }, instanceHealth: () => health });
    await t.create({
      name: 'Slow',
      condition: { kind: 'p95_duration', thresholdMs: 1000, windowMs: 5 * MIN, minRuns: 1 },
    });
    await t.create({ name: 'Down', condition: { kind: 'instance_down' } });
    await t.create({ name: 'Backlog', condition: { kind: 'queue_depth', threshold: 100 } });
    await t.create({ name: 'DLQ', condition: { kind: 'dead_letter_growth', threshold: 5, windowMs: 10 * MIN } });

    t.module.tick(); // samples dead letters = 10 and evaluates: all quiet
    expect(await t.alerts()).toEqual([]);

    insertExecutions(t.db, [{ status: 'succeeded', createdAtMs: t.clock.now() - 1, durationMs: 1500 }]);
    health[1]!.up = false;
    depth = 101;
    dead = 16;
    t.clock.advance(MIN);
    t.module.evaluateAlerts();
    const open = await t.alerts('open');
    expect(open.map((a) => [a.ruleName, a.subject, a.value]).sort()).toEqual([
      ['Backlog', 'queue', 101],
      ['DLQ', 'dead-letters', 6],
      ['Down', 'instance:dev', 0],
      ['Slow', 'all', 1500],
    ]);

    health[1]!.up = true;
    depth = 0;
    t.clock.advance(10 * MIN);
    t.module.tick(); // a new dead-letter sample (16) becomes the baseline: growth 0
    t.clock.advance(MIN);
    t.module.evaluateAlerts();
    expect(await t.alerts('open')).toEqual([]);
  });

  it('skips rules whose data source is not wired instead of judging them healthy', async () => {
    const t = setup();
    await t.create({ name: 'Backlog', condition: { kind: 'queue_depth', threshold: 0 } });
    await t.create({ name: 'Down', condition: { kind: 'instance_down' } });
    expect(t.module.evaluateAlerts()).toEqual({ fired: 0, resolved: 0 });
    const gauges = await t.h['metrics:gauges']({ range: '1h' }, ctx);
    expect(gauges.gauges.every((g) => !g.provided && g.points.length === 0)).toBe(true);
  });

  it('audits rule changes, resolves open alerts of a disabled or deleted rule', async () => {
    const t = setup({ gauges: { queueDepth: () => 50 } });
    const rule = await t.create({ name: 'Backlog', condition: { kind: 'queue_depth', threshold: 10 } });
    t.module.evaluateAlerts();
    expect(await t.alerts('open')).toHaveLength(1);

    const disabled = await t.h['alerts:updateRule'](
      { id: rule.id, rule: { ...rule, enabled: false, condition: { kind: 'queue_depth', threshold: 10 } } },
      ctx,
    );
    expect(disabled).toMatchObject({ enabled: false, createdAtMs: rule.createdAtMs });
    t.module.evaluateAlerts();
    expect(await t.alerts('open')).toEqual([]);

    await t.h['alerts:updateRule']({ id: rule.id, rule: { ...rule, enabled: true } }, ctx);
    t.module.evaluateAlerts();
    expect(await t.alerts('open')).toHaveLength(1);
    await t.h['alerts:deleteRule']({ id: rule.id }, ctx);
    expect(await t.alerts('open')).toEqual([]);
    expect((await t.h['alerts:listRules']({}, ctx)).rules).toEqual([]);
    expect(await t.alerts('resolved')).toHaveLength(2);

    const actions = t.audit.list({ limit: 10, targetType: 'alert_rule' }).entries.map((e) => [e.action, e.actor]);
    expect(actions).toEqual([
      ['alert_rule.delete', 'ana'],
      ['alert_rule.update', 'ana'],
      ['alert_rule.update', 'ana'],
      ['alert_rule.create', 'ana'],
    ]);
    expect(t.audit.verify().ok).toBe(true);
    await expect(async () => t.h['alerts:deleteRule']({ id: rule.id }, ctx)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('acknowledging and silencing alerts', () => {
  it('acknowledge takes an alert out of the badge; silence records but notifies nobody until it ends', async () => {
    let depth = 50;
    const health = [{ instanceId: 'prod', up: true }];
    const t = setup({ gauges: { queueDepth: () => depth }, instanceHealth: () => health });
    await t.h['alerts:setNotifier']({ url: 'http://127.0.0.1:9/hook', enabled: true, notifyResolved: true }, ctx);
    await t.create({ name: 'Backlog', condition: { kind: 'queue_depth', threshold: 10 } });
    await t.create({ name: 'Down', condition: { kind: 'instance_down' } });
    const counts = () => t.h['alerts:counts']({}, ctx);
    const notices = () => t.db.prepare('SELECT event FROM alert_outbox ORDER BY id').pluck().all();

    t.module.evaluateAlerts(); // fires Backlog
    const [backlog] = await t.alerts('open');
    expect(backlog).toMatchObject({ ruleName: 'Backlog', subjectLabel: 'the queue', acknowledgedAtMs: null });
    expect(await counts()).toEqual({ open: 1, unacknowledged: 1, silenced: 0 });

    const acked = await t.h['alerts:acknowledge']({ id: backlog!.id }, ctx);
    expect(acked).toMatchObject({ state: 'open', acknowledgedAtMs: t.clock.now(), acknowledgedBy: 'ana' });
    expect(await counts()).toEqual({ open: 1, unacknowledged: 0, silenced: 0 });
    expect(t.events.filter((e) => e.event === 'alerts:changed')).toHaveLength(1);
    // Twice is harmless: the first acknowledgement stands.
    t.clock.advance(1000);
    expect((await t.h['alerts:acknowledge']({ id: backlog!.id }, ctx)).acknowledgedAtMs).toBe(acked.acknowledgedAtMs);

    // prod goes down, the alert is silenced for 10 minutes: out of the badge, counted as silenced.
    health[0]!.up = false;
    t.module.evaluateAlerts();
    const dlq = (await t.alerts('open')).find((a) => a.ruleName === 'Down')!;
    expect(dlq.subjectLabel).toBe('instance “prod”');
    expect(await counts()).toEqual({ open: 2, unacknowledged: 1, silenced: 0 });
    const silenced = await t.h['alerts:silence']({ id: dlq.id, forMs: 10 * MIN }, ctx);
    expect(silenced.silencedUntilMs).toBe(t.clock.now() + 10 * MIN);
    expect(await counts()).toEqual({ open: 2, unacknowledged: 0, silenced: 1 });
    expect(notices()).toEqual(['fired', 'fired']);

    // It resolves and fires again while silenced: recorded, announced as silenced, no notice.
    health[0]!.up = true;
    t.clock.advance(MIN);
    expect(t.module.evaluateAlerts().resolved).toBe(1);
    health[0]!.up = false;
    t.clock.advance(MIN);
    const fired = t.events.length;
    t.module.evaluateAlerts();
    const again = (await t.alerts('open')).find((a) => a.ruleName === 'Down')!;
    expect(again.id).not.toBe(dlq.id);
    expect(again.silencedUntilMs).toBe(silenced.silencedUntilMs);
    const firedEvent = t.events.slice(fired).find((e) => e.event === 'alerts:fired');
    expect(firedEvent?.payload).toMatchObject({ id: again.id, silencedUntilMs: silenced.silencedUntilMs });
    expect(notices()).toEqual(['fired', 'fired']);
    const log = await t.h['monitoring:list']({ kind: 'alert.fired', limit: 10 }, ctx);
    expect(log.events[0]?.message).toContain('(silenced: nobody notified)');

    // The silence ends on the clock: the alert counts again.
    t.clock.advance(10 * MIN);
    expect(await counts()).toEqual({ open: 2, unacknowledged: 1, silenced: 0 });
    // Silenced again, then lifted by hand.
    await t.h['alerts:silence']({ id: again.id, forMs: 60 * MIN }, ctx);
    expect((await t.h['alerts:unsilence']({ id: again.id }, ctx)).silencedUntilMs).toBeNull();
    expect(await counts()).toEqual({ open: 2, unacknowledged: 1, silenced: 0 });

    const actions = t.audit.list({ limit: 10, targetType: 'alert' }).entries.map((e) => e.action);
    expect(actions).toEqual([
      'alert.unsilence',
      'alert.silence',
      'alert.silence',
      'alert.acknowledge',
      'alert.acknowledge',
    ]);

    // A resolved alert needs no acknowledgement; an unknown one is not found.
    depth = 0;
    t.module.evaluateAlerts();
    await expect(
      Promise.resolve().then(() => t.h['alerts:acknowledge']({ id: backlog!.id }, ctx)),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(
      Promise.resolve().then(() => t.h['alerts:silence']({ id: 999, forMs: MIN }, ctx)),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses bad acknowledge and silence calls at the door', async () => {
    const t = testCore();
    cleanups.push(() => void t.cleanup());
    const bad: [string, unknown][] = [
      ['alerts:acknowledge', { id: 0 }],
      ['alerts:acknowledge', { id: 'one' }],
      ['alerts:acknowledge', {}],
      ['alerts:silence', { id: 1, forMs: 0 }],
      ['alerts:silence', { id: 1, forMs: 59_999 }],
      ['alerts:silence', { id: 1, forMs: 31 * 86_400_000 }],
      ['alerts:silence', { id: 1 }],
      ['alerts:unsilence', { id: 1.5 }],
      ['alerts:counts', { extra: true }],
    ];
    for (const [channel, input] of bad) {
      const result = await t.core.invoke(channel, input);
      expect(result, `${channel} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    expect(await t.core.call('alerts:silence', { id: 1, forMs: 60_000 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await t.core.call('alerts:counts', {})).toEqual({
      ok: true,
      data: { open: 0, unacknowledged: 0, silenced: 0 },
    });
  });
});

describe('background tick', () => {
  it('announces metrics:updated at most once per throttle window, only after rollups changed', () => {
    const t = setup({ updateThrottleMs: 5_000, gauges: { approvalsPending: () => 4 } });
    const updates = () => t.events.filter((e) => e.event === 'metrics:updated').length;
    t.module.tick();
    expect(updates()).toBe(0);
    insertExecutions(t.db, [{ status: 'succeeded', createdAtMs: t.clock.now(), durationMs: 1 }]);
    t.module.tick();
    expect(updates()).toBe(1);
    insertExecutions(t.db, [{ status: 'failed', createdAtMs: t.clock.now(), durationMs: 1 }]);
    t.clock.advance(1_000);
    t.module.tick();
    expect(updates()).toBe(1);
    t.clock.advance(5_000);
    t.module.tick();
    expect(updates()).toBe(2);
    t.clock.advance(5_000);
    t.module.tick();
    expect(updates()).toBe(2);
    // Gauges were sampled on the clock: once at the first tick, again after the interval.
    const samples = t.db.prepare("SELECT COUNT(*) FROM metric_samples WHERE gauge = 'approvalsPending'").pluck();
    expect(samples.get()).toBe(1);
    t.clock.advance(60_000);
    t.module.tick();
    expect(samples.get()).toBe(2);
  });
});
