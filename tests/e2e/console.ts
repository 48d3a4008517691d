import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OUTPUT_MISMATCH } from '../../src/main/core/invoke';

/** Debian's Chromium, with the flags this offline, display-less machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

export interface ConsoleProcess {
  /** The URL printed by the host, including #token=… */
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Log lines of replies that did not match their declared output schema (none, we hope). */
  outputMismatches(): string[];
  /** Stops the host; throws when any reply did not match its declared output schema. */
  stop(): Promise<void>;
}

/**
 * Starts the built headless host (`out/main/host.js`) on a free port with its own data
 * directory, exactly as `npm run serve` does, and waits for the URL it prints. The host checks
 * every reply against its channel's output schema (FLIGHTDECK_CHECK_OUTPUTS=1); `stop()` fails
 * the test if any did not match.
 */
export async function startConsole(
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<ConsoleProcess> {
  const ownDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'flightdeck-e2e-'));
  const dataDir = options.dataDir ?? ownDir!;
  const child = spawn(process.execPath, ['out/main/host.js', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, FLIGHTDECK_INGEST_PORT: '0', FLIGHTDECK_CHECK_OUTPUTS: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  const outputMismatches = () => output.split('\n').filter((line) => line.includes(OUTPUT_MISMATCH));
  return {
    url,
    dataDir,
    process: child,
    outputMismatches,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      const mismatches = outputMismatches();
      if (mismatches.length > 0) throw new Error(`The host answered outside its contract:\n${mismatches.join('\n')}`);
    },
  };
}

/** Opens the console and waits until the shell says it is ready. */
export async function openConsole(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.locator('[data-app-state="ready"]').waitFor();
  return page;
}

/** One contract call over the host's WebSocket, as another window would make it. */
export async function callHost<T>(app: Pick<ConsoleProcess, 'url'>, channel: string, input: unknown): Promise<T> {
  const { default: WebSocket } = await import('ws');
  const url = new URL(app.url.replace('#token=', '?token='));
  const token = url.searchParams.get('token') ?? '';
  const ws = new WebSocket(`ws://${url.host}/api`, ['flightdeck.v1', `token.${token}`]);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const reply = new Promise<{ ok: boolean; data: T; error: unknown }>((resolve) =>
    ws.on('message', (m) => {
      const frame = JSON.parse(String(m)) as { id?: number; result: { ok: boolean; data: T; error: unknown } };
      if (frame.id === 1) resolve(frame.result);
    }),
  );
  ws.send(JSON.stringify({ type: 'call', id: 1, channel, input }));
  const result = await reply;
  ws.close();
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.data;
}
