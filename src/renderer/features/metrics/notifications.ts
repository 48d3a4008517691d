import type { Alert } from '../../../shared/contract';
import { api } from '../../api/client';

/**
 * Browser notifications for fired alerts (the headless console). In Electron the main process
 * shows a native notification instead, so the window stays quiet to avoid a double.
 */
export function followAlertNotifications(): () => void {
  if (window.api || typeof Notification === 'undefined') return () => undefined;
  const offFired = api.on('alerts:fired', (alert: Alert) => {
    // A silenced alert is recorded but notifies nobody.
    if (Notification.permission !== 'granted' || alert.silencedUntilMs !== null) return;
    new Notification(`Alert: ${alert.ruleName}`, {
      body: alert.message,
      tag: `alert-${alert.ruleId}-${alert.subject}`,
    });
  });
  const offResolved = api.on('alerts:resolved', (alert: Alert) => {
    if (Notification.permission !== 'granted' || alert.silencedUntilMs !== null) return;
    new Notification(`Resolved: ${alert.ruleName}`, {
      body: `${alert.subjectLabel} is back to normal.`,
      tag: `alert-${alert.ruleId}-${alert.subject}`,
    });
  });
  return () => {
    offFired();
    offResolved();
  };
}

export const notificationsSupported = () => !window.api && typeof Notification !== 'undefined';
