import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The data directory when none is given: the same folder Electron's `userData` uses for an app
 * named "Flightdeck", so the desktop app and the headless host share one store by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.FLIGHTDECK_DATA_DIR) return env.FLIGHTDECK_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Flightdeck');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Flightdeck');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Flightdeck');
}

/** The ingest endpoint's port: FLIGHTDECK_INGEST_PORT, `off` to disable, default 4681. */
export function ingestPortFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const value = env.FLIGHTDECK_INGEST_PORT;
  if (value === 'off') return null;
  const port = Number(value ?? 4681);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 4681;
}
