import { busySentence, type DataDirBusyError } from './data-dir';

/**
 * Who found the data folder taken: the desktop app, `npm run serve` (a server: refuse), or
 * `npm start`'s headless fallback (someone who wants the console: point at the running one).
 */
export type BusyShell = 'desktop' | 'serve' | 'start';

/** What a shell does when another process owns its data folder. */
export interface BusyPlan {
  /** The dialog's text or the terminal line. Never holds the token unless `openUrl` is offered. */
  message: string;
  /**
   * The running console's address with its token, when it can be opened from here (a headless
   * host on this machine that has published its URL); null when there is nothing to open.
   */
  openUrl: string | null;
  /** Exit code when the shell stops here: 0 when the operator was sent to the running console. */
  exitCode: number;
}

/** Plain logic for each shell's answer to DataDirBusyError; the shells only print or show it. */
export function planForBusyDataDir(error: Pick<DataDirBusyError, 'owner'>, shell: BusyShell): BusyPlan {
  const owner = error.owner;
  const sentence = busySentence(owner);
  const openUrl = owner?.url && owner.token ? browserUrl(owner.url, owner.token) : null;

  if (shell === 'desktop') {
    if (openUrl) return { message: `${sentence} Open it in your browser?`, openUrl, exitCode: 0 };
    const next =
      owner?.kind === 'desktop'
        ? 'Switch to its window, or start with FLIGHTDECK_DATA_DIR set to another folder.'
        : 'Close it, or start with FLIGHTDECK_DATA_DIR set to another folder.';
    return { message: `${sentence} ${next}`, openUrl: null, exitCode: 1 };
  }
  if (shell === 'start' && openUrl) return { message: `${sentence} Open ${openUrl}`, openUrl, exitCode: 0 };
  return { message: `${sentence} Open that, or pass --data-dir.`, openUrl: null, exitCode: 1 };
}

/**
 * The address a browser on this machine opens: a host bound to every interface (0.0.0.0, ::) is
 * reached on loopback. Only http(s) addresses are offered, whatever the owner record says.
 */
export function browserUrl(url: string, token: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  parsed.hash = `token=${encodeURIComponent(token)}`;
  return parsed.href;
}
