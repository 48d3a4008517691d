import { join, resolve } from 'node:path';
import { findDeepLinkInArgv, parseDeepLink, routeFor } from './deep-link';

/** The part of Electron's `app` the single-instance hand-off uses (tests pass a fake). */
export interface SingleInstanceApp {
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  on(
    event: 'second-instance',
    listener: (event: unknown, argv: string[], workingDirectory: string, additionalData: unknown) => void,
  ): unknown;
  on(event: 'open-url', listener: (event: { preventDefault(): void }, url: string) => void): unknown;
}

/** What the primary instance does when another launch or the OS hands it something. */
export interface HandOffTarget {
  /** Bring the window back: show, restore if minimized, focus (create it if there is none). */
  focus(): void;
  /** Open a `flightdeck://` link (already known to start with the scheme; still unchecked). */
  openLink(link: string): void;
}

/** What the second launch passes to the first, beside its command line. */
interface HandOffData {
  deepLink: string | null;
}

export type InstanceRole =
  /** This process runs Flightdeck; `initialLink` is the link it was started with, if any. */
  | { role: 'primary'; initialLink: string | null }
  /** Another Flightdeck runs on this profile and has been handed this launch: quit now. */
  | { role: 'secondary' };

/**
 * One Flightdeck per profile (the profile follows the data folder: see profileDirFor). The first
 * launch takes Electron's single-instance lock; a second launch hands its deep link to the first
 * (as `additionalData`, which keeps it intact, and on its command line for older primaries) and
 * quits, and the first focuses its window and opens the link. Sits above the data-folder lock:
 * that one refuses a second process of any kind on the folder, this one turns a second desktop
 * launch into a window coming forward.
 */
export function claimSingleInstance(
  app: SingleInstanceApp,
  argv: readonly string[],
  target: HandOffTarget,
): InstanceRole {
  const initialLink = findDeepLinkInArgv(argv);
  const data: HandOffData = { deepLink: initialLink };
  if (!app.requestSingleInstanceLock({ ...data })) return { role: 'secondary' };

  app.on('second-instance', (_event, otherArgv, _cwd, additionalData) => {
    target.focus();
    const link = linkFromHandOff(additionalData) ?? findDeepLinkInArgv(otherArgv ?? []);
    if (link) target.openLink(link);
  });
  // macOS hands links to the running app (or the one it starts) through open-url, not argv.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    target.focus();
    target.openLink(url);
  });
  return { role: 'primary', initialLink };
}

function linkFromHandOff(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('deepLink' in data)) return null;
  const link = (data as { deepLink: unknown }).deepLink;
  return typeof link === 'string' ? link : null;
}

/**
 * Holds links until the window can take them, then turns each into a navigation. Links can arrive
 * before the window exists (the launch link, macOS open-url before ready); only the latest is
 * kept, as a person clicking twice wants the second.
 */
export class DeepLinkRouter {
  private pending: string | null = null;
  private navigate: ((route: string) => void) | null = null;

  constructor(private readonly onRefused: (link: string) => void = () => undefined) {}

  /** Opens a link now, or as soon as a window is attached. Refused links change nothing. */
  open(link: string): void {
    const parsed = parseDeepLink(link);
    if (!parsed) {
      this.onRefused(link);
      return;
    }
    this.go(routeFor(parsed));
  }

  /** Opens a route this app built itself (`#/approvals`), through the same queue. */
  go(route: string): void {
    if (this.navigate) this.navigate(route);
    else this.pending = route;
  }

  /** The window is ready: deliver what waited, and every later link directly. */
  attach(navigate: (route: string) => void): void {
    this.navigate = navigate;
    const waiting = this.pending;
    this.pending = null;
    if (waiting) navigate(waiting);
  }

  /** The window is gone: hold links again until the next one is attached. */
  detach(): void {
    this.navigate = null;
  }

  /** The route waiting for a window (for the first load: the window opens straight on it). */
  takePending(): string | null {
    const waiting = this.pending;
    this.pending = null;
    return waiting;
  }
}

/**
 * The Electron profile (`userData`) for a data folder, or null to keep the default. Electron's
 * single-instance lock lives in the profile, so one profile per data folder makes "one instance"
 * mean one per data folder: a second launch on the same folder comes forward in the first window,
 * a launch on another folder (FLIGHTDECK_DATA_DIR) runs beside it. The default data folder is the
 * default profile already (both are `<app data>/Flightdeck`).
 */
export function profileDirFor(dataDir: string, defaultProfile: string): string | null {
  const folder = resolve(dataDir);
  return folder === resolve(defaultProfile) ? null : join(folder, 'desktop-profile');
}
