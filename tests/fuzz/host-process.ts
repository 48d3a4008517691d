import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The built headless host (`out/main/host.js`) as a child process, started exactly as
 * `npm run serve` starts it, on a free port, with the ingest door on a free port too. It records
 * how it ended, so a test can say "the host exited with code 1: URIError…" instead of timing out.
 */
export interface HostProcess {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the host wrote on stderr (its JSON log lines). */
  output(): string;
  /** null while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | null;
  stop(): Promise<void>;
}

export function hostBuilt(): boolean {
  return existsSync('out/main/host.js');
}

export async function startHost(dataDir: string, env: Record<string, string> = {}): Promise<HostProcess> {
  const child = spawn(process.execPath, ['out/main/host.js', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, FLIGHTDECK_INGEST_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.stderr!.on('data', (chunk: Buffer) => {
    // Keep the tail only: a fuzzed host logs a lot, and only the end explains an exit.
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = { code, signal };
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the host did not start within 30 s:\n${stdout}\n${stderr}`)),
      30_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Open (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the host exited while starting (${JSON.stringify(ended)}):\n${stdout}\n${stderr}`));
    });
  });
  const parsed = new URL(url.replace('#token=', '?token='));
  return {
    url: `${parsed.origin}/`,
    port: Number(parsed.port),
    token: parsed.searchParams.get('token') ?? '',
    dataDir,
    child,
    output: () => stderr,
    exit: () => ended,
    async stop() {
      if (ended) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The ingest door's secret, as a sender on this machine reads it. */
export const ingestSecret = (dataDir: string) => readFileSync(join(dataDir, 'keys', 'ingest.secret'), 'utf8').trim();

/** Signs like an n8n workflow would: HMAC-SHA256 of `<timestamp>.<body>` with the ingest secret. */
export function signIngest(secret: string, timestampMs: number, body: string | Buffer): Record<string, string> {
  const signature = 'sha256=' + createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
  return {
    'content-type': 'application/json',
    'x-flightdeck-timestamp': String(timestampMs),
    'x-flightdeck-signature': signature,
  };
}
