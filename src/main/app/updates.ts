import { z } from 'zod';
import type { Logger } from '../core/logger';

const slug = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, ".", "_" or "-"');

/**
 * Where updates come from: GitHub releases of a repository, or a generic HTTPS folder holding
 * electron-builder's `latest*.yml` and the packages (what `npm run dist` writes to dist/).
 */
export const updateFeedSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('github'), owner: slug, repo: slug }).strict(),
  z
    .object({
      provider: z.literal('generic'),
      url: z
        .string()
        .max(2_000)
        .refine((url) => feedUrlProblem(url) === null, { message: 'an https URL' }),
    })
    .strict(),
]);
export type UpdateFeed = z.infer<typeof updateFeedSchema>;

/** Why a feed URL is refused, or null: https only (http on loopback, for a local test feed), no credentials. */
function feedUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'carries credentials (they would land in logs)';
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return null;
  return 'must use https';
}

/**
 * FLIGHTDECK_UPDATE_FEED: `github:owner/repo`, or the https URL of a generic feed. Empty or `off`:
 * no feed. Returns the feed, or the reason it is refused.
 */
export function parseUpdateFeed(text: string | undefined): { feed: UpdateFeed | null } | { error: string } {
  const value = (text ?? '').trim();
  if (value === '' || value.toLowerCase() === 'off') return { feed: null };
  const github = /^github:([^/\s]+)\/([^/\s]+)$/i.exec(value);
  if (github) {
    const parsed = updateFeedSchema.safeParse({ provider: 'github', owner: github[1], repo: github[2] });
    return parsed.success ? { feed: parsed.data } : { error: `FLIGHTDECK_UPDATE_FEED: "${value}" is not owner/repo` };
  }
  const problem = feedUrlProblem(value);
  if (problem) return { error: `FLIGHTDECK_UPDATE_FEED ${problem}: use github:owner/repo or an https URL` };
  return { feed: { provider: 'generic', url: value } };
}

/** The part of electron-updater's `autoUpdater` this app uses (tests pass a fake). */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  logger: unknown;
  setFeedURL(options: UpdateFeed): void;
  checkForUpdates(): Promise<unknown>;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface UpdateOptions {
  feed: UpdateFeed | null;
  /** Only an installed app updates itself; from source the checks stay off. */
  isPackaged: boolean;
  /** Loads electron-updater; may fail (not installed): updates are then off, said once. */
  loadUpdater: () => Promise<UpdaterLike>;
  logger: Logger;
  /** A downloaded update installs when the app quits; this says so to the operator. */
  onDownloaded?: (version: string) => void;
  /** First check this long after start (ms); never before the window is up. Default 30 s. */
  firstCheckAfterMs?: number;
  /** Then every this often (ms). Default 6 hours. */
  everyMs?: number;
}

export interface UpdateChecks {
  /** `off` (no feed, or from source), `unavailable` (electron-updater could not load) or `on`. */
  readonly state: () => 'off' | 'unavailable' | 'on';
  /** Why the checks are off or unavailable, for the Help menu; null when on. */
  readonly reason: () => string | null;
  /** Checks now (Help → Check for Updates); resolves with a sentence for the operator. Never rejects. */
  checkNow(): Promise<string>;
  stop(): void;
}

/**
 * Background update checks with electron-updater against the configured feed. Off unless a feed is
 * configured; never in the way of start-up (the first check waits, every failure is logged and
 * swallowed: an unreachable feed must not cost the operator anything).
 */
export function startUpdateChecks(options: UpdateOptions): UpdateChecks {
  const { feed, logger } = options;
  let state: 'off' | 'unavailable' | 'on' = 'off';
  let reason: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let updater: Promise<UpdaterLike | null> | null = null;

  if (!feed) reason = 'No update feed is configured (FLIGHTDECK_UPDATE_FEED or "updates" in desktop.json).';
  else if (!options.isPackaged) reason = 'Updates apply to the installed app, not to a source checkout.';
  else state = 'on';

  const load = (): Promise<UpdaterLike | null> => {
    updater ??= options.loadUpdater().then(
      (u) => {
        u.autoDownload = true;
        u.autoInstallOnAppQuit = true;
        u.logger = null; // its own logging goes through ours, below
        u.setFeedURL(feed!);
        u.on('error', (error) => logger.warn('Update check failed', { error }));
        u.on('update-downloaded', (info) => {
          logger.info('Update downloaded; it installs when Flightdeck quits', { version: info.version });
          options.onDownloaded?.(info.version);
        });
        return u;
      },
      (error: unknown) => {
        state = 'unavailable';
        reason = 'electron-updater is not part of this build, so updates are off.';
        logger.warn('Updates are off: electron-updater could not be loaded', { error });
        return null;
      },
    );
    return updater;
  };

  const check = async (): Promise<string> => {
    if (state !== 'on') return reason ?? 'Updates are off.';
    const u = await load();
    if (!u) return reason ?? 'Updates are off.';
    try {
      const result = (await u.checkForUpdates()) as { updateInfo?: { version?: string } } | null;
      const latest = result?.updateInfo?.version;
      return latest ? `Checked the update feed: the latest version is ${latest}.` : 'Checked the update feed.';
    } catch (error) {
      logger.warn('Update check failed', { error });
      return `The update check failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  };

  if (state === 'on') {
    const every = options.everyMs ?? 6 * 3_600_000;
    const again = () => {
      void check();
      timer = setTimeout(again, every);
    };
    timer = setTimeout(again, options.firstCheckAfterMs ?? 30_000);
  }

  return {
    state: () => state,
    reason: () => reason,
    checkNow: check,
    stop: () => clearTimeout(timer),
  };
}
