/**
 * What the tray shows, as plain data: counts in, icon variant, tooltip, badge and menu out. No
 * Electron here; tray-controller.ts turns this into a Tray and a Menu.
 */

/** What the tray counts; null while unknown (not loaded yet, or the store did not open). */
export interface TrayCounts {
  /** Pending approvals, and how many of them are high priority (0–2). */
  pending: number;
  high: number;
  /**
   * Alerts that want a look: firing, and nobody acknowledged or silenced them (the console's nav
   * badge counts the same). An acknowledged or silenced alert stays open but leaves the tray.
   */
  alerts: number;
  /**
   * When a silence on an open alert ends (ms from now), the count may grow without any event: the
   * tray counts again then. Null: no silence running.
   */
  recountInMs: number | null;
  /** Instances, and how many of them have dispatch paused. */
  instances: number;
  pausedInstances: number;
}

export type TrayAction =
  'open' | 'openInbox' | 'openAlerts' | 'approveOldest' | 'rejectOldest' | 'pauseDispatch' | 'resumeDispatch' | 'quit';

export type TrayMenuItem =
  | { kind: 'info'; label: string }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'toggle'; setting: 'closeToTray'; label: string; checked: boolean }
  | { kind: 'separator' };

export interface TrayView {
  /** The attention icon (a dot) while something waits for a person. */
  attention: boolean;
  tooltip: string;
  /** Dock / taskbar / launcher badge: pending approvals + alerts nobody acknowledged or silenced (0 clears it). */
  badgeCount: number;
  /** Text beside the icon where the platform shows one (macOS menu bar): the badge count, or ''. */
  title: string;
  menu: TrayMenuItem[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line of what waits: `3 approvals pending (1 urgent) · 2 alerts to acknowledge`, or `Nothing waiting`. */
export function waitingLine(counts: TrayCounts): string {
  const parts: string[] = [];
  if (counts.pending > 0)
    parts.push(`${plural(counts.pending, 'approval')} pending${counts.high > 0 ? ` (${counts.high} urgent)` : ''}`);
  if (counts.alerts > 0) parts.push(`${plural(counts.alerts, 'alert')} to acknowledge`);
  if (counts.pausedInstances > 0)
    parts.push(
      counts.pausedInstances === counts.instances
        ? 'dispatch paused'
        : `dispatch paused on ${plural(counts.pausedInstances, 'instance')}`,
    );
  return parts.length ? parts.join(' · ') : 'Nothing waiting';
}

export function trayView(
  counts: TrayCounts | null,
  settings: { closeToTray: boolean },
  problem: string | null = null,
): TrayView {
  const known = counts !== null;
  const c = counts ?? { pending: 0, high: 0, alerts: 0, instances: 0, pausedInstances: 0, recountInMs: null };
  const badgeCount = c.pending + c.alerts;
  const line = known ? waitingLine(c) : (problem ?? 'Loading…');
  const canPause = known && c.instances > c.pausedInstances;
  const menu: TrayMenuItem[] = [
    { kind: 'info', label: line },
    { kind: 'separator' },
    { kind: 'action', action: 'open', label: 'Open Flightdeck', enabled: true },
    {
      kind: 'action',
      action: 'openInbox',
      label: c.pending > 0 ? `Open Approvals Inbox (${c.pending})` : 'Open Approvals Inbox',
      enabled: true,
    },
    {
      kind: 'action',
      action: 'openAlerts',
      label: c.alerts > 0 ? `Open Alerts (${c.alerts})` : 'Open Alerts',
      enabled: true,
    },
    { kind: 'separator' },
    { kind: 'action', action: 'approveOldest', label: 'Approve Oldest…', enabled: c.pending > 0 },
    { kind: 'action', action: 'rejectOldest', label: 'Reject Oldest…', enabled: c.pending > 0 },
    { kind: 'separator' },
    {
      kind: 'action',
      action: 'pauseDispatch',
      label: c.pausedInstances > 0 ? 'Pause Dispatch on the Other Instances' : 'Pause Dispatch',
      enabled: canPause,
    },
    {
      kind: 'action',
      action: 'resumeDispatch',
      label: c.pausedInstances > 0 ? `Resume Dispatch (${c.pausedInstances} paused)` : 'Resume Dispatch',
      enabled: known && c.pausedInstances > 0,
    },
    { kind: 'separator' },
    {
      kind: 'toggle',
      setting: 'closeToTray',
      label: 'Keep Running When the Window Closes',
      checked: settings.closeToTray,
    },
    { kind: 'action', action: 'quit', label: 'Quit Flightdeck', enabled: true },
  ];
  return {
    attention: c.pending > 0 || c.alerts > 0,
    tooltip: `Flightdeck: ${line}`,
    badgeCount,
    title: badgeCount > 0 ? String(badgeCount) : '',
    menu,
  };
}
