import { EventEmitter } from 'node:events';
import type { NotificationConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../shared/contract';
import type { AnyEventListener } from '../core/events';
import { followNotifications, plainText, type NotificationLike } from './notifications';

class FakeNotification extends EventEmitter implements NotificationLike {
  shown = false;
  constructor(readonly options: NotificationConstructorOptions) {
    super();
  }
  show() {
    this.shown = true;
  }
}

function setup(supportsActions = true) {
  let listener: AnyEventListener = () => undefined;
  const created: FakeNotification[] = [];
  const opened: string[] = [];
  const decided: [number, Decision][] = [];
  const stop = followNotifications(
    { subscribe: (l) => ((listener = l), () => (listener = () => undefined)) },
    {
      isSupported: () => true,
      supportsActions,
      create: (options) => {
        const n = new FakeNotification(options);
        created.push(n);
        return n;
      },
    },
    { open: (route) => opened.push(route), decide: (id, decision) => decided.push([id, decision]) },
  );
  const emit: AnyEventListener = (event, payload) => listener(event, payload);
  return { emit, created, opened, decided, stop };
}

const alert = {
  id: 3,
  ruleId: 'r1',
  ruleName: 'Error rate',
  kind: 'error_rate',
  subject: 'all',
  subjectLabel: 'all runs',
  state: 'open',
  value: 40,
  threshold: 10,
  message: 'Error rate 40% is above 10%',
  firedAtMs: 1,
  resolvedAtMs: null,
  acknowledgedAtMs: null,
  acknowledgedBy: null,
  silencedUntilMs: null,
};

describe('desktop notifications', () => {
  it('an urgent approval opens its item when clicked, and its buttons decide it', () => {
    const s = setup();
    s.emit('approvals:arrived', { items: [{ id: 42, summary: 'Refund 120 EUR', priority: 1 }] });
    const [n] = s.created;
    expect(n?.shown).toBe(true);
    expect(n?.options).toMatchObject({
      title: 'Approval needed',
      body: 'Refund 120 EUR',
      actions: [
        { type: 'button', text: 'Approve' },
        { type: 'button', text: 'Reject' },
      ],
    });
    n!.emit('click');
    expect(s.opened).toEqual(['#/approvals/42']);
    n!.emit('action', { actionIndex: 1 }, 1); // Electron 45: the index in the details
    n!.emit('action', undefined, 0); // older Electron: the index alone
    n!.emit('action', { actionIndex: 7 });
    expect(s.decided).toEqual([
      [42, 'reject'],
      [42, 'approve'],
    ]);
  });

  it('no buttons where the platform has none; several at once open the inbox; low priority stays quiet', () => {
    const s = setup(false);
    s.emit('approvals:arrived', { items: [{ id: 1, summary: 'A', priority: 1 }] });
    expect(s.created[0]?.options.actions).toBeUndefined();
    s.emit('approvals:arrived', {
      items: [
        { id: 2, summary: 'B', priority: 0 },
        { id: 3, summary: 'C', priority: 2 },
        { id: 4, summary: 'D', priority: 5 },
      ],
    });
    expect(s.created[1]?.options).toMatchObject({ title: '2 approvals needed', body: 'B · C' });
    s.created[1]!.emit('click');
    expect(s.opened).toEqual(['#/approvals']);
    s.emit('approvals:arrived', { items: [{ id: 5, summary: 'E', priority: 6 }] });
    expect(s.created).toHaveLength(2);
  });

  it('alerts open the metrics area; resolved ones say so', () => {
    const s = setup();
    s.emit('alerts:fired', alert);
    s.emit('alerts:resolved', { ...alert, state: 'resolved', resolvedAtMs: 2 });
    expect(s.created.map((n) => [n.options.title, n.options.body])).toEqual([
      ['Alert: Error rate', 'Error rate 40% is above 10%'],
      ['Resolved: Error rate', 'all runs is back to normal.'],
    ]);
    s.created[0]!.emit('click');
    expect(s.opened).toEqual(['#/metrics']);
    // A silenced alert notifies nobody.
    s.emit('alerts:fired', { ...alert, id: 4, silencedUntilMs: 99 });
    expect(s.created).toHaveLength(2);
  });

  it('ignores other events and malformed payloads; text from payloads reaches the OS as plain text', () => {
    const s = setup();
    s.emit('approvals:arrived', { items: [{ id: 'x' }] });
    s.emit('alerts:fired', { ruleName: 1 });
    s.emit('queue:changed', {});
    expect(s.created).toEqual([]);
    s.emit('approvals:arrived', { items: [{ id: 9, summary: '<a href="x">pay</a>\n\n&now', priority: 0 }] });
    expect(s.created[0]?.options.body).toBe('a href="x" pay /a now');
    expect(plainText('x'.repeat(300))).toHaveLength(200);
    s.stop();
    s.emit('alerts:fired', alert);
    expect(s.created).toHaveLength(1);
  });
});
