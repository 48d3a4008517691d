import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertNotifier, CallArgs } from '../../../shared/contract';
import { metricsOnDisk } from '../testing/metrics-kit';
import { testCore } from '../testing/test-core';
import { SIGNATURE_HEADER } from './outbox';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const ctx = { transport: 'direct' as const };
const SECRET_PATH = '/services/T0001/B0002/tokenTOKENtoken42';
const SIGNING = 'signing-secret-s3cr3t';

/** A loopback receiver answering each request with the next status of `script` (then the last one). */
async function receiver(script: (number | 'hang')[]) {
  const got: { headers: IncomingHttpHeaders; body: string; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body, path: req.url ?? '' });
      const next = script[Math.min(got.length - 1, script.length - 1)]!;
      if (next === 'hang') return; // never answers
      res.writeHead(next, { 'content-type': 'text/plain' }).end(`answer ${next} for ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const port = (server.address() as AddressInfo).port;
  return { got, url: `http://127.0.0.1:${port}${SECRET_PATH}`, origin: `http://127.0.0.1:${port}` };
}

function setup(options: Parameters<typeof metricsOnDisk>[0] = {}) {
  let depth = 0;
  const t = metricsOnDisk({
    gauges: { queueDepth: () => depth },
    notifier: { backoffMs: 1000, maxAttempts: 3, timeoutMs: 5_000 },
    ...options,
  });
  cleanups.push(async () => {
    await t.module.stop?.();
    t.cleanup();
  });
  const h = t.module.handlers;
  const setNotifier = (args: Partial<CallArgs<'alerts:setNotifier'>>) =>
    h['alerts:setNotifier']({ enabled: true, notifyResolved: true, ...args }, ctx) as Promise<AlertNotifier>;
  const outbox = async () => (await h['alerts:outbox']({ limit: 50 }, ctx)).entries;
  const backlogRule = () =>
    h['alerts:createRule'](
      {
        rule: {
          name: 'Backlog',
          enabled: true,
          cooldownMs: 0,
          instanceId: null,
          workflowId: null,
          condition: { kind: 'queue_depth', threshold: 10 },
        },
      },
      ctx,
    );
  return { ...t, h, setNotifier, outbox, backlogRule, setDepth: (n: number) => (depth = n) };
}

describe('alert notices through the outbox', () => {
  it('retries a receiver that fails, with backoff, then delivers a signed Slack-compatible body', async () => {
    const r = await receiver([503, 200]);
    const t = setup();
    const view = await t.setNotifier({ url: r.url, secret: SIGNING });
    expect(view).toMatchObject({ configured: true, enabled: true, target: `${r.origin}/…`, hasSecret: true });
    await t.backlogRule();

    t.setDepth(50);
    expect(t.module.evaluateAlerts().fired).toBe(1);
    // The notice was written with the alert; nothing was posted during evaluation.
    expect(r.got).toHaveLength(0);
    expect(await t.outbox()).toEqual([expect.objectContaining({ event: 'fired', state: 'pending', attempts: 0 })]);

    // First attempt: 503, so it waits the backoff.
    expect(await t.module.deliverNotices()).toBe(0);
    const [failed] = await t.outbox();
    expect(failed).toMatchObject({
      state: 'pending',
      attempts: 1,
      nextAttemptAtMs: t.clock.now() + 1000,
      lastError: `HTTP 503 from ${r.origin}/…`,
    });
    // Not due yet: no second request.
    expect(await t.module.deliverNotices()).toBe(0);
    expect(r.got).toHaveLength(1);

    t.clock.advance(1000);
    expect(await t.module.deliverNotices()).toBe(1);
    expect(r.got).toHaveLength(2);
    const [delivered] = await t.outbox();
    expect(delivered).toMatchObject({ state: 'delivered', attempts: 2, lastError: null });
    const last = r.got[1]!;
    expect(last.path).toBe(SECRET_PATH);
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers[SIGNATURE_HEADER]).toBe(
      `sha256=${createHmac('sha256', SIGNING).update(last.body).digest('hex')}`,
    );
    const body = JSON.parse(last.body) as { text: string; event: string; alert: Record<string, unknown> };
    expect(body.text).toBe('Alert: Backlog — Queue depth 50 is above 10 (Backlog).');
    expect(body).toMatchObject({
      event: 'fired',
      alert: { rule: 'Backlog', kind: 'queue_depth', subject: 'the queue', value: 50, threshold: 10, unit: 'jobs' },
    });

    // The resolve notice follows the same way.
    t.setDepth(0);
    expect(t.module.evaluateAlerts().resolved).toBe(1);
    expect(await t.module.deliverNotices()).toBe(1);
    expect(JSON.parse(r.got[2]!.body)).toMatchObject({
      text: 'Resolved: Backlog — the queue is back to normal.',
      event: 'resolved',
      alert: { state: 'resolved' },
    });
    expect((await t.h['alerts:getNotifier']({}, ctx)).outbox).toMatchObject({ pending: 0, delivered: 2, failed: 0 });

    // The address's path and the secret appear nowhere a window, the log or an export could read.
    const everything = JSON.stringify([
      await t.h['alerts:getNotifier']({}, ctx),
      await t.outbox(),
      t.events,
      t.db.prepare('SELECT * FROM audit_log').all(),
      t.db.prepare('SELECT * FROM monitoring_events').all(),
      t.db.prepare('SELECT * FROM alert_notifier').all(),
      t.db.prepare('SELECT * FROM alert_outbox').all(),
    ]);
    expect(everything).not.toContain('tokenTOKENtoken42');
    expect(everything).not.toContain(SIGNING);
    expect(t.events.map((e) => e.event)).toContain('alerts:outboxChanged');

    // Delivered notices follow the history setting (30 days here); a waiting one stays.
    await t.h['alerts:testNotifier']({}, ctx);
    t.clock.advance(31 * 86_400_000);
    t.module.runRetention();
    expect(await t.outbox()).toEqual([expect.objectContaining({ event: 'test', state: 'pending' })]);
  });

  it('gives up after the last attempt, or at once on a 4xx, and records why', async () => {
    const r = await receiver([500, 500, 500, 404]);
    const t = setup();
    await t.setNotifier({ url: r.url });
    const { queued } = await t.h['alerts:testNotifier']({}, ctx);
    // Backoff doubles between attempts: 1 s, then 2 s; the third (maxAttempts) is the last.
    const waits: (number | null)[] = [];
    for (let i = 0; i < 3; i++) {
      await t.module.deliverNotices();
      const next = (await t.outbox())[0]!.nextAttemptAtMs;
      waits.push(next === null ? null : next - t.clock.now());
      t.clock.advance(10_000);
    }
    expect(waits).toEqual([1000, 2000, null]);
    expect(await t.outbox()).toEqual([
      expect.objectContaining({ id: queued, event: 'test', state: 'failed', attempts: 3, nextAttemptAtMs: null }),
    ]);
    await t.h['alerts:testNotifier']({}, ctx);
    await t.module.deliverNotices();
    expect((await t.outbox())[0]).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: `HTTP 404 from ${r.origin}/…`,
    });
    const log = await t.h['monitoring:list']({ kind: 'alert.notify_failed', limit: 10 }, ctx);
    expect(log.events).toHaveLength(2);
    expect(JSON.stringify(log.events)).not.toContain('tokenTOKENtoken42');
  });

  it('never holds up evaluation: a receiver that does not answer times out in the background', async () => {
    const r = await receiver(['hang']);
    const t = setup({ notifier: { timeoutMs: 300, backoffMs: 1000, maxAttempts: 3 } });
    await t.setNotifier({ url: r.url });
    await t.backlogRule();
    t.setDepth(50);
    t.module.tick(); // evaluates, and starts delivering without waiting
    await expect.poll(() => r.got.length, { timeout: 10_000 }).toBe(1);
    // While the post hangs, evaluation goes on.
    t.setDepth(0);
    expect(t.module.evaluateAlerts()).toEqual({ fired: 0, resolved: 1 });
    await expect
      .poll(async () => (await t.outbox()).find((e) => e.event === 'fired')?.lastError, { timeout: 10_000 })
      .toBe('No answer within 300 ms');
  });

  it('a closed port is retried, its error names only the origin; a disabled or removed notifier sends nothing', async () => {
    const r = await receiver([200]);
    const t = setup();
    await t.setNotifier({ url: 'http://127.0.0.1:9/services/T/B/tokenTOKENtoken42' });
    await t.h['alerts:testNotifier']({}, ctx);
    await t.module.deliverNotices();
    const [entry] = await t.outbox();
    expect(entry).toMatchObject({ state: 'pending', attempts: 1 });
    expect(entry!.lastError).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:9\/… \(ECONNREFUSED\)$/);
    // A restore brings back a backup's outbox: what was waiting then is not posted now.
    await t.module.restored?.();
    expect((await t.outbox())[0]).toMatchObject({ state: 'failed', lastError: expect.stringContaining('restore') });
    await t.h['alerts:testNotifier']({}, ctx);

    // Keep the address, turn it off: new alerts queue nothing; the test refuses.
    await t.setNotifier({ url: r.url, enabled: false });
    await t.backlogRule();
    t.setDepth(50);
    t.module.evaluateAlerts();
    expect((await t.outbox()).filter((e) => e.event === 'fired')).toEqual([]);
    await expect(Promise.resolve().then(() => t.h['alerts:testNotifier']({}, ctx))).rejects.toMatchObject({
      code: 'CONFLICT',
    });

    // Removing it fails what was still pending, with a reason.
    await t.h['alerts:removeNotifier']({}, ctx);
    expect((await t.outbox()).find((e) => e.event === 'test' && e.attempts === 0)).toMatchObject({
      state: 'failed',
      lastError: expect.stringContaining('removed'),
    });
    expect(await t.h['alerts:getNotifier']({}, ctx)).toMatchObject({ configured: false, target: null });
  });
});

describe('the notifier at the door', () => {
  it('refuses hostile addresses and secrets with VALIDATION and changes nothing', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    const bad: unknown[] = [
      { url: 'file:///etc/passwd', enabled: true },
      { url: 'javascript:alert(1)', enabled: true },
      { url: 'ftp://example.com/hook', enabled: true },
      { url: 'http://user:pass@example.com/hook', enabled: true },
      { url: 'not an address', enabled: true },
      { url: '', enabled: true },
      { url: `https://example.com/${'a'.repeat(3000)}`, enabled: true },
      { url: 'https://example.com/hook', secret: 'short', enabled: true },
      { url: 'https://example.com/hook', enabled: 'yes' },
      { url: 'https://example.com/hook', enabled: true, extra: 1 },
    ];
    for (const input of bad) {
      const result = await t.core.invoke('alerts:setNotifier', input);
      expect(result, JSON.stringify(input).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    }
    // The first time, an address is required.
    expect(await t.core.invoke('alerts:setNotifier', { enabled: true })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: 'Enter the webhook address to notify.' },
    });
    expect(await t.core.call('alerts:getNotifier', {})).toMatchObject({ ok: true, data: { configured: false } });
    expect(await t.core.call('alerts:outbox', {})).toEqual({ ok: true, data: { entries: [] } });
  });
});
