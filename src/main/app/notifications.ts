import type { NotificationConstructorOptions } from 'electron';
import { alertSchema, approvalsEvents, HIGH_PRIORITY_MAX, type Decision } from '../../shared/contract';
import type { AnyEventListener } from '../core/events';
import { routeFor } from './deep-link';

/** One native notification (Electron's Notification; tests pass a fake). */
export interface NotificationLike {
  on(event: 'click', listener: () => void): unknown;
  on(event: 'action', listener: (details: unknown, actionIndex?: number) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  show(): void;
}

export interface NotificationSurface {
  isSupported(): boolean;
  create(options: NotificationConstructorOptions): NotificationLike;
  /** Approve/Reject buttons exist on macOS and Windows notifications; elsewhere a click opens the item. */
  supportsActions: boolean;
}

export interface NotificationHandlers {
  /** Shows the window on this route (`#/approvals/42`). */
  open(route: string): void;
  /** Approve/Reject pressed on a notification: decide that item (the caller reports failures). */
  decide(id: number, decision: Decision): void;
}

/** The buttons of an approval notification, in order: the action index picks the decision. */
export const APPROVAL_ACTIONS: readonly { label: string; decision: Decision }[] = [
  { label: 'Approve', decision: 'approve' },
  { label: 'Reject', decision: 'reject' },
];

/** Notifications kept referenced until closed (else a collected one loses its click); the oldest go first. */
const MAX_KEPT = 50;
const arrivedSchema = approvalsEvents['approvals:arrived'];

/**
 * Plain text for the OS: notification daemons on Linux read a little markup in the body, and the
 * text here comes from event payloads. Collapsed, stripped of markup characters, cut short.
 */
export function plainText(text: string, max = 200): string {
  const flat = text.replace(/[<>&]/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Desktop notifications for what needs a person: new urgent approvals (priority 0–2, the same
 * rule as the inbox badge) and alerts. Clicking opens the item; an approval's notification
 * offers Approve and Reject where the platform has notification buttons. Returns the stop.
 */
export function followNotifications(
  core: { subscribe(listener: AnyEventListener): () => void },
  surface: NotificationSurface,
  handlers: NotificationHandlers,
): () => void {
  if (!surface.isSupported()) return () => undefined;
  const kept = new Set<NotificationLike>();

  const show = (options: NotificationConstructorOptions, route: string, onAction?: (index: number) => void) => {
    const notification = surface.create(options);
    notification.on('click', () => handlers.open(route));
    if (onAction)
      notification.on('action', (details, legacyIndex) => {
        const index =
          typeof details === 'object' && details !== null && 'actionIndex' in details
            ? Number((details as { actionIndex: unknown }).actionIndex)
            : legacyIndex;
        if (typeof index === 'number' && Number.isInteger(index)) onAction(index);
      });
    notification.on('close', () => kept.delete(notification));
    kept.add(notification);
    if (kept.size > MAX_KEPT) kept.delete(kept.values().next().value as NotificationLike);
    notification.show();
  };

  return core.subscribe((event, payload) => {
    if (event === 'approvals:arrived') {
      const parsed = arrivedSchema.safeParse(payload);
      if (!parsed.success) return;
      const urgent = parsed.data.items.filter((item) => item.priority <= HIGH_PRIORITY_MAX);
      const [only] = urgent;
      if (!only) return;
      if (urgent.length > 1) {
        show(
          { title: `${urgent.length} approvals needed`, body: plainText(urgent.map((i) => i.summary).join(' · ')) },
          routeFor({ kind: 'area', area: 'approvals' }),
        );
        return;
      }
      show(
        {
          title: 'Approval needed',
          body: plainText(only.summary),
          urgency: 'critical',
          ...(surface.supportsActions
            ? { actions: APPROVAL_ACTIONS.map((a) => ({ type: 'button' as const, text: a.label })) }
            : {}),
        },
        routeFor({ kind: 'approval', id: only.id }),
        (index) => {
          const action = APPROVAL_ACTIONS[index];
          if (action) handlers.decide(only.id, action.decision);
        },
      );
      return;
    }
    if (event === 'alerts:fired' || event === 'alerts:resolved') {
      const alert = alertSchema.safeParse(payload);
      // A silenced alert is recorded but notifies nobody.
      if (!alert.success || alert.data.silencedUntilMs !== null) return;
      const fired = event === 'alerts:fired';
      show(
        {
          title: plainText(`${fired ? 'Alert' : 'Resolved'}: ${alert.data.ruleName}`, 120),
          body: plainText(fired ? alert.data.message : `${alert.data.subjectLabel} is back to normal.`),
          urgency: fired ? 'critical' : 'normal',
        },
        routeFor({ kind: 'area', area: 'metrics' }),
      );
    }
  });
}
