import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { readTeamMode } from '../core/auth/team-mode';
import { defaultDataDir } from '../core/paths';

/** Shortest token an operator may set (the generated one is 64 hex characters). */
export const MIN_TOKEN_LENGTH = 32;

/** Everything `npm run serve` needs, from flags or FLIGHTDECK_* variables, checked. */
export interface HostCliOptions {
  dataDir: string;
  port: number;
  host: string;
  /** Set by the operator (FLIGHTDECK_TOKEN); otherwise the host generates one. */
  token?: string;
  /** PEM certificate chain and key, read from --tls-cert / --tls-key. */
  tls?: { cert: Buffer; key: Buffer };
  metrics: { on: boolean; token?: string };
  extraOrigins: string[];
  /** Started by `npm start`: a console already running on the folder is pointed at, not refused. */
  openIfRunning: boolean;
  /** How long a team-mode sign-in lasts (FLIGHTDECK_SESSION_HOURS, 1–720; default 12). */
  sessionHours: number;
}

export type ParsedHostCli = { ok: true; options: HostCliOptions; warnings: string[] } | { ok: false; message: string };

/**
 * Reads and checks the host's options. A refusal says what to change; nothing has started yet.
 * `warnings` are the loud lines a network-facing bind prints before it starts.
 */
export function parseHostCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => Buffer = (path) => readFileSync(path),
  isTeamFolder: (dataDir: string) => boolean = readTeamMode,
): ParsedHostCli {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        metrics: { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'open-if-running': { type: 'boolean' },
      },
    }));
  } catch (error) {
    return { ok: false, message: `${(error as Error).message}. See "Headless" in README.md for the options.` };
  }

  const rawPort = values.port ?? env.FLIGHTDECK_PORT ?? '4680';
  const port = Number(rawPort);
  if (rawPort.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)
    return { ok: false, message: `Invalid port "${rawPort}": use a number from 0 to 65535.` };

  const host = values.host ?? (env.FLIGHTDECK_HOST || '127.0.0.1');
  // Empty counts as unset (`FLIGHTDECK_TOKEN= npm run serve`): the host generates one.
  const token = env.FLIGHTDECK_TOKEN || undefined;
  const tokenProblem = checkToken('FLIGHTDECK_TOKEN', token, /^[A-Za-z0-9._~-]+$/);
  if (tokenProblem) return { ok: false, message: tokenProblem };
  const metricsToken = env.FLIGHTDECK_METRICS_TOKEN || undefined;
  const metricsProblem = checkToken('FLIGHTDECK_METRICS_TOKEN', metricsToken, /^[\x21-\x7e]+$/);
  if (metricsProblem) return { ok: false, message: metricsProblem };

  const tls = readTls(
    values['tls-cert'] ?? env.FLIGHTDECK_TLS_CERT,
    values['tls-key'] ?? env.FLIGHTDECK_TLS_KEY,
    readFile,
  );
  if (typeof tls === 'string') return { ok: false, message: tls };

  const rawHours = env.FLIGHTDECK_SESSION_HOURS || '12';
  const sessionHours = Number(rawHours);
  if (!Number.isFinite(sessionHours) || sessionHours < 1 || sessionHours > 720)
    return {
      ok: false,
      message: `FLIGHTDECK_SESSION_HOURS must be a number of hours from 1 to 720 (got "${rawHours}").`,
    };

  const dataDir = values['data-dir'] ?? defaultDataDir(env);
  const warnings: string[] = [];
  // In team mode everyone signs in with their own account: the shared token is not used.
  if (!isLoopbackHost(host) && isTeamFolder(dataDir)) {
    warnings.push(
      `!!! WARNING: Flightdeck listens on ${host}, reachable from other machines (team mode: accounts sign in).`,
      tls
        ? '!!! Traffic is encrypted with your TLS certificate.'
        : '!!! No TLS (--tls-cert/--tls-key): passwords, sessions and everything the console shows cross the network in clear.',
    );
  } else if (!isLoopbackHost(host)) {
    if (!token)
      return {
        ok: false,
        message:
          `Refusing to listen on ${host}: other machines could reach this console. Set FLIGHTDECK_TOKEN to at least ` +
          `${MIN_TOKEN_LENGTH} random characters (for example: export FLIGHTDECK_TOKEN=$(openssl rand -hex 32)) and ` +
          'give it only to the people who may operate this console; add --tls-cert/--tls-key so it is not sent in clear.',
      };
    warnings.push(
      `!!! WARNING: Flightdeck listens on ${host}, reachable from other machines.`,
      '!!! Whoever holds the token operates this console and every n8n instance it holds a key for.',
      tls
        ? '!!! Traffic is encrypted with your TLS certificate.'
        : '!!! No TLS (--tls-cert/--tls-key): the token and everything the console shows cross the network in clear.',
    );
  }

  return {
    ok: true,
    warnings,
    options: {
      dataDir,
      port,
      host,
      ...(token ? { token } : {}),
      ...(tls ? { tls } : {}),
      metrics: {
        on: values.metrics === true || env.FLIGHTDECK_METRICS === '1',
        ...(metricsToken ? { token: metricsToken } : {}),
      },
      extraOrigins: (env.FLIGHTDECK_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
      openIfRunning: values['open-if-running'] === true,
      sessionHours,
    },
  };
}

/**
 * True for addresses only this machine can reach: 127.0.0.0/8, ::1 (and its IPv4-mapped form),
 * `localhost`. Anything else, names included, counts as reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.trim().toLowerCase();
  if (bare === 'localhost') return true;
  if (/^127(\.\d{1,3}){3}$/.test(bare)) return true;
  const v6 = bare.startsWith('[') ? bare : `[${bare}]`;
  let normal: string;
  try {
    normal = new URL(`http://${v6}/`).hostname;
  } catch {
    return false;
  }
  return normal === '[::1]' || normal.startsWith('[::ffff:7f');
}

/**
 * An operator-set token: long enough not to be guessed, and in characters that survive the URL
 * fragment and the WebSocket subprotocol that carry it.
 */
function checkToken(name: string, token: string | undefined, allowed: RegExp): string | null {
  if (token === undefined) return null;
  if (token.length < MIN_TOKEN_LENGTH)
    return (
      `${name} is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} random characters ` +
      '(for example: openssl rand -hex 32), or unset it to get a generated one.'
    );
  if (!allowed.test(token))
    return `${name} may hold only letters, digits and . _ ~ - (for example: openssl rand -hex 32).`;
  return null;
}

function readTls(
  certPath: string | undefined,
  keyPath: string | undefined,
  readFile: (path: string) => Buffer,
): { cert: Buffer; key: Buffer } | string | undefined {
  if (!certPath && !keyPath) return undefined;
  if (!certPath || !keyPath) return 'TLS needs both --tls-cert and --tls-key (PEM files).';
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFile(certPath);
  } catch (error) {
    return `Cannot read the TLS certificate ${certPath}: ${(error as Error).message}`;
  }
  try {
    key = readFile(keyPath);
  } catch (error) {
    return `Cannot read the TLS key ${keyPath}: ${(error as Error).message}`;
  }
  try {
    // Fails now, with OpenSSL's reason, on a bad PEM or a key that does not match the certificate.
    createSecureContext({ cert, key });
  } catch (error) {
    return `The TLS certificate ${certPath} and key ${keyPath} cannot be used together: ${(error as Error).message}`;
  }
  return { cert, key };
}
