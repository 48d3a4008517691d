/**
 * A real n8n for live tests and benches, on loopback, with its own user folder and port.
 *
 * Usage (one instance per test file; startup takes about 30 s):
 *
 *   const n8n = await startN8n();           // installs (cached) and starts n8n 1.123.81
 *   n8n.baseUrl; n8n.apiKey;                // public API at `${baseUrl}/api/v1`, all scopes
 *   const wf = await createWebhookWorkflow(n8n, { path: 'orders' });   // created and activated
 *   await fireWebhook(n8n, 'orders', { id: 1 });                        // one execution
 *   await n8n.stop(); await n8n.start();    // restart on the same folder and port
 *   await n8n.dispose();                    // stop and delete the folder
 *
 * Facts behind it: ../shared/docs/N8N-TEST-INSTANCE.md. Each instance gets a fresh user folder
 * (two instances sharing one break each other) and a fixed N8N_ENCRYPTION_KEY, so a restart
 * reads the same credentials and API keys.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const N8N_VERSION = process.env.N8N_VERSION ?? '1.123.81';
/** The owner every test instance is set up with (for REST calls that need a session). */
export const OWNER = {
  email: 'owner@flightdeck.test',
  firstName: 'Test',
  lastName: 'Owner',
  password: 'Flightdeck-test-1',
};
const ENCRYPTION_KEY = 'flightdeck-test-encryption-key-0001';

export interface N8nInstance {
  /** http://127.0.0.1:<port> (no trailing slash). */
  baseUrl: string;
  port: number;
  /** An API key with every scope n8n offers. */
  apiKey: string;
  userFolder: string;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s); the folder is kept. */
  stop(): Promise<void>;
  /** Starts again on the same folder and port and waits until the API answers. */
  start(): Promise<void>;
  /** Stops and removes the user folder. */
  dispose(): Promise<void>;
  /** The last lines n8n printed, for failure messages. */
  output(): string;
}

/** The major version under test: 1 (Node 20, the test runner's) or 2 (Node 24 from the npm registry). */
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);

/**
 * Runs scripts/install-n8n.sh (idempotent, cached in ~/.cache/flightdeck) and returns the install
 * folder and the Node binary that runs it (n8n 2.x needs Node 24; 1.x runs on this one).
 */
export function installN8n(): { dir: string; node: string } {
  const out = execFileSync('bash', ['scripts/install-n8n.sh'], {
    env: { ...process.env, N8N_VERSION },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  const [dir = '', node = process.execPath] = out.toString().trim().split('\n');
  return { dir, node };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  url: string,
  deadline: number,
  describe: () => string,
  exited: () => boolean,
  ready: (text: string) => boolean = (text) => text.trimStart().startsWith('{'),
): Promise<void> {
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`n8n exited before answering ${url}.\n${describe()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      // While booting, n8n answers every path with 200 "n8n is starting up. Please wait".
      if (res.ok && ready(text)) return;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    await sleep(300);
  }
  throw new Error(`n8n did not answer ${url} in time.\n${describe()}`);
}

/** Creates the owner, logs in and creates an API key with every scope. */
async function createApiKey(baseUrl: string): Promise<string> {
  const json = { 'content-type': 'application/json' };
  const setup = await fetch(`${baseUrl}/rest/owner/setup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(OWNER),
  });
  if (!setup.ok) throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
  const login = await fetch(`${baseUrl}/rest/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
  });
  if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const scopesRes = await fetch(`${baseUrl}/rest/api-keys/scopes`, { headers: { cookie } });
  const scopesText = await scopesRes.text();
  if (!scopesRes.ok) throw new Error(`api key scopes failed: ${scopesRes.status} ${scopesText}`);
  let scopes: string[];
  try {
    scopes = (JSON.parse(scopesText) as { data: string[] }).data;
  } catch {
    throw new Error(`api key scopes: not JSON: ${scopesText.slice(0, 300)}`);
  }
  const keyRes = await fetch(`${baseUrl}/rest/api-keys`, {
    method: 'POST',
    headers: { ...json, cookie },
    body: JSON.stringify({ label: 'flightdeck-tests', scopes, expiresAt: null }),
  });
  if (!keyRes.ok) throw new Error(`api key creation failed: ${keyRes.status} ${await keyRes.text()}`);
  return ((await keyRes.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
}

/**
 * Installs if needed, starts a fresh n8n on a free loopback port, and creates owner + API key.
 * `customExtensions`: folders n8n loads extra nodes and credentials from (N8N_CUSTOM_EXTENSIONS,
 * `;`-separated); their node types are named `CUSTOM.<name>`.
 */
export async function startN8n(
  options: { startTimeoutMs?: number; customExtensions?: string } = {},
): Promise<N8nInstance> {
  const { dir, node } = installN8n();
  const port = await freePort();
  // 2.x always starts a task broker (N8N_RUNNERS_ENABLED=false is ignored): one port per instance.
  const brokerPort = await freePort();
  const userFolder = mkdtempSync(join(tmpdir(), 'flightdeck-n8n-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const timeout = options.startTimeoutMs ?? 120_000;
  let child: ChildProcess | undefined;
  let log = '';

  const env = {
    ...process.env,
    // Vitest sets NODE_ENV=test, under which n8n does not start its server.
    NODE_ENV: 'production',
    N8N_USER_FOLDER: userFolder,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
    N8N_EXPRESSION_ENGINE: 'legacy',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_SECURE_COOKIE: 'false',
    N8N_RUNNERS_ENABLED: 'false',
    N8N_RUNNERS_BROKER_PORT: String(brokerPort),
    N8N_LOG_LEVEL: 'warn',
    N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '3',
    DB_SQLITE_POOL_SIZE: '2',
    EXECUTIONS_DATA_PRUNE: 'false',
    ...(options.customExtensions === undefined ? {} : { N8N_CUSTOM_EXTENSIONS: options.customExtensions }),
  };

  async function start(): Promise<void> {
    log = '';
    child = spawn(node, [join(dir, 'node_modules/n8n/bin/n8n'), 'start'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const running = child;
    const exited = () => running.exitCode !== null || running.signalCode !== null;
    const deadline = Date.now() + timeout;
    await waitFor(`${baseUrl}/healthz`, deadline, () => log, exited);
    // /healthz turns ok before the /rest routes exist.
    await waitFor(`${baseUrl}/rest/settings`, deadline, () => log, exited);
    // The editor page (which names n8n's version) comes last, and answers 404 until then.
    await waitFor(
      `${baseUrl}/`,
      deadline,
      () => log,
      exited,
      (text) => text.includes('n8n:config'),
    );
  }

  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    const killer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }

  try {
    await start();
    const apiKey = await createApiKey(baseUrl);
    return {
      baseUrl,
      port,
      apiKey,
      userFolder,
      stop,
      start,
      async dispose() {
        await stop();
        rmSync(userFolder, { recursive: true, force: true });
      },
      output: () => log,
    };
  } catch (error) {
    await stop();
    rmSync(userFolder, { recursive: true, force: true });
    throw error;
  }
}

/** Calls the public API with the instance's key; throws on a non-2xx answer. */
export async function api<T = unknown>(
  n8n: Pick<N8nInstance, 'baseUrl' | 'apiKey'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${n8n.baseUrl}/api/v1${path}`, {
    method,
    headers: { 'X-N8N-API-KEY': n8n.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export { webhookWorkflow, type WebhookWorkflowOptions } from '../../src/main/core/testing/n8n-workflows';
import { webhookWorkflow, type WebhookWorkflowOptions } from '../../src/main/core/testing/n8n-workflows';

/**
 * Waits until n8n serves /webhook/<path>. n8n 2.x registers webhooks asynchronously: right after
 * activation the path answers 404 for a moment. An OPTIONS request (CORS preflight) answers 404
 * only while no webhook is registered at that path, and starts no execution.
 */
export async function waitForWebhook(n8n: Pick<N8nInstance, 'baseUrl'>, path: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${n8n.baseUrl}/webhook/${path}`, { method: 'OPTIONS' });
    await res.arrayBuffer();
    if (res.status !== 404) return;
    if (Date.now() > deadline) throw new Error(`n8n does not serve /webhook/${path} after activation`);
    await sleep(100);
  }
}

/** Creates and activates a webhook workflow, and waits until its webhook answers; returns its id. */
export async function createWebhookWorkflow(n8n: N8nInstance, options: WebhookWorkflowOptions): Promise<string> {
  const created = await api<{ id: string }>(n8n, 'POST', '/workflows', webhookWorkflow(options));
  await api(n8n, 'POST', `/workflows/${created.id}/activate`);
  await waitForWebhook(n8n, options.path);
  return created.id;
}

/** POSTs to /webhook/<path>; returns the HTTP status (a failing workflow answers 500). */
export async function fireWebhook(
  n8n: Pick<N8nInstance, 'baseUrl'>,
  path: string,
  body: unknown = {},
): Promise<number> {
  const res = await fetch(`${n8n.baseUrl}/webhook/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Fires `count` webhook runs with up to `concurrency` in flight. */
export async function fireMany(
  n8n: Pick<N8nInstance, 'baseUrl'>,
  path: string,
  count: number,
  concurrency = 8,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await fireWebhook(n8n, path, { i: next++ });
    }),
  );
}
