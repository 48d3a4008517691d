import type { MenuItemConstructorOptions } from 'electron';
import type { AnyEventListener } from '../core/events';
import type { Logger } from '../core/logger';
import type { DesktopActions } from './desktop-actions';
import { routeFor } from './deep-link';
import { trayView, type TrayAction, type TrayCounts, type TrayMenuItem, type TrayView } from './tray-state';

/** Core events after which the tray counts again. */
const COUNTED_EVENTS = new Set([
  'approvals:changed',
  'approvals:arrived',
  'approvals:expired',
  'alerts:fired',
  'alerts:resolved',
  // Acknowledged, silenced or unsilenced: the alert leaves or rejoins the count.
  'alerts:changed',
  'queue:changed',
  'instances:changed',
  'instances:removed',
]);

/** setTimeout's longest delay (about 24.8 days); a longer silence is counted again after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Draws a view: the Electron adapter sets the icon, tooltip, title, menu and badge. */
export interface TrayHost {
  render(view: TrayView, menu: MenuItemConstructorOptions[]): void;
}

/** What the tray asks of the rest of the shell. */
export interface TrayShell {
  /** Shows and focuses the window, on a route when given (`#/approvals`). */
  showWindow(route?: string): void;
  quit(): void;
  closeToTray(): boolean;
  setCloseToTray(on: boolean): void;
}

/** The menu as Electron's template; each click runs the given handler. */
export function trayMenuTemplate(
  items: readonly TrayMenuItem[],
  onAction: (action: TrayAction) => void,
  onToggle: (setting: 'closeToTray', checked: boolean) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'info':
        return { label: item.label, enabled: false };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
      case 'toggle':
        return {
          label: item.label,
          type: 'checkbox',
          checked: item.checked,
          click: (menuItem) => onToggle(item.setting, menuItem.checked),
        };
    }
  });
}

/**
 * Keeps the tray in step with the core: counts on start and after every event that can change
 * them (coalesced, one count at a time), and runs what its menu asks.
 */
export class TrayController {
  private counts: TrayCounts | null = null;
  private problem: string | null = null;
  private current: TrayView;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts again when the nearest silence on an open alert ends. */
  private recount: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly core: { subscribe(listener: AnyEventListener): () => void },
    private readonly actions: DesktopActions,
    private readonly host: TrayHost,
    private readonly shell: TrayShell,
    private readonly logger: Logger,
    private readonly quietMs = 250,
  ) {
    this.current = trayView(null, { closeToTray: shell.closeToTray() });
  }

  /** Subscribes and counts once; returns the stop. */
  start(): () => void {
    const off = this.core.subscribe((event) => {
      if (COUNTED_EVENTS.has(event)) this.soon();
    });
    this.render();
    void this.refresh();
    return () => {
      this.stopped = true;
      clearTimeout(this.timer);
      clearTimeout(this.recount);
      off();
    };
  }

  /** The view last drawn. */
  view(): TrayView {
    return this.current;
  }

  /** Counts now; concurrent requests fold into one more count after the running one. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          this.counts = await this.actions.counts();
          this.problem = null;
        } catch (error) {
          this.counts = null;
          this.problem = `Counts unavailable: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (!this.stopped) this.render();
      } while (this.again && !this.stopped);
      this.planRecount();
    })().finally(() => (this.running = null));
    return this.running;
  }

  /** Redraws with the current settings (after the close-to-tray setting changed elsewhere). */
  render(): void {
    this.current = trayView(this.counts, { closeToTray: this.shell.closeToTray() }, this.problem);
    const menu = trayMenuTemplate(
      this.current.menu,
      (action) => void this.handle(action),
      (_setting, checked) => this.shell.setCloseToTray(checked),
    );
    try {
      this.host.render(this.current, menu);
    } catch (error) {
      this.logger.warn('Could not update the tray', { error });
    }
  }

  async handle(action: TrayAction): Promise<void> {
    switch (action) {
      case 'open':
        return this.shell.showWindow();
      case 'openInbox':
        return this.shell.showWindow(routeFor({ kind: 'area', area: 'approvals' }));
      case 'openAlerts':
        return this.shell.showWindow(routeFor({ kind: 'area', area: 'metrics' }));
      case 'approveOldest':
        await this.actions.decideOldest('approve');
        break;
      case 'rejectOldest':
        await this.actions.decideOldest('reject');
        break;
      case 'pauseDispatch':
        await this.actions.pauseDispatch();
        break;
      case 'resumeDispatch':
        await this.actions.resumeDispatch();
        break;
      case 'quit':
        return this.shell.quit();
    }
    await this.refresh();
  }

  /** A timer for the end of the nearest silence (a second after it, so the core sees it ended). */
  private planRecount(): void {
    clearTimeout(this.recount);
    const inMs = this.counts?.recountInMs;
    if (this.stopped || inMs === null || inMs === undefined) return;
    this.recount = setTimeout(() => void this.refresh(), Math.min(inMs + 1_000, MAX_TIMER_MS));
    this.recount.unref?.();
  }

  private soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.quietMs);
  }
}
