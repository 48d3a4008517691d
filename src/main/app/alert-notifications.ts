import { Notification } from 'electron';
import { alertSchema } from '../../shared/contract';
import type { Core } from '../core/create-core';

/**
 * Native notifications for alerts (window plumbing only: the core decides when an alert fires,
 * dedupes and cools down; this just shows what it announced). Returns the unsubscribe.
 */
export function showAlertNotifications(core: Core): () => void {
  if (!Notification.isSupported()) return () => undefined;
  return core.subscribe((event, payload) => {
    if (event !== 'alerts:fired' && event !== 'alerts:resolved') return;
    const alert = alertSchema.safeParse(payload);
    if (!alert.success) return;
    const fired = event === 'alerts:fired';
    new Notification({
      title: `${fired ? 'Alert' : 'Resolved'}: ${alert.data.ruleName}`,
      body: fired ? alert.data.message : `${alert.data.subject} is back to normal.`,
      urgency: fired ? 'critical' : 'normal',
    }).show();
  });
}
