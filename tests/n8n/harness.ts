/**
 * A real n8n for live tests and benches, on loopback, with its own user folder and port.
 *
 * Usage (startup takes about 30 s; a file that never stops or restarts n8n shares the run's one
 * instead, wiped for it: `const n8n = await sharedN8n()`):
 *
 *   const n8n = await startN8n();           // installs (cached) and starts N8N_VERSION (1.123.81)
 *   n8n.baseUrl; n8n.apiKey; n8n.major;     // public API at `${baseUrl}/api/v1`, all scopes
 *   const wf = await createWebhookWorkflow(n8n, { path: 'orders' });   // created, live, served
 *   await fireWebhook(n8n, 'orders', { id: 1 });                        // one execution
 *   await n8n.stop(); await n8n.start();    // restart on the same folder and port
 *   await n8n.dispose();                    // stop and delete the folder
 *
 * Facts behind it: ../shared/docs/N8N-TEST-INSTANCE.md. Each instance gets a fresh user folder
 * (two instances sharing one break each other) and a fixed N8N_ENCRYPTION_KEY, so a restart
 * reads the same credentials and API keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

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
  /** The release it runs ("2.41.1") and its major: 2.x publishes, signs resumes, has no Start node. */
  version: string;
  major: number;
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
 * Asynchronous, so a process that serves others meanwhile (the shared n8n's global setup) stays
 * responsive during a cold install.
 */
export async function installN8n(version = N8N_VERSION): Promise<{ dir: string; node: string }> {
  const child = spawn('bash', ['scripts/install-n8n.sh'], {
    env: { ...process.env, N8N_VERSION: version },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`scripts/install-n8n.sh failed for n8n ${version} (exit ${String(code)})`);
  const [dir = '', node = process.execPath] = out.trim().split('\n');
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
 * `version`: another release than N8N_VERSION (a migration between lines needs both at once).
 * `customExtensions`: folders n8n loads extra nodes and credentials from (N8N_CUSTOM_EXTENSIONS,
 * `;`-separated); their node types are named `CUSTOM.<name>`.
 */
export async function startN8n(
  options: { startTimeoutMs?: number; version?: string; customExtensions?: string } = {},
): Promise<N8nInstance> {
  const version = options.version ?? N8N_VERSION;
  const { dir, node } = await installN8n(version);
  const port = await freePort();
  // 2.x always starts a task broker (N8N_RUNNERS_ENABLED=false is ignored): one port per instance.
  const brokerPort = await freePort();
  const userFolder = mkdtempSync(join(tmpdir(), 'flightdeck-n8n-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  // 2.x runs its database migrations and starts a task runner on every fresh start: with the
  // shared 2-core box under load that took longer than 2 minutes here.
  const timeout = options.startTimeoutMs ?? (Number(version.split('.')[0]) >= 2 ? 300_000 : 120_000);
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
      version,
      major: Number(version.split('.')[0]),
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

/** The address of the shared n8n's control server (tests/n8n/shared-n8n-setup.ts), provided to every file. */
declare module 'vitest' {
  export interface ProvidedContext {
    sharedN8nControl: string;
  }
}

/** What the control server answers for a shared instance (its stop, start and dispose stay there). */
export type SharedN8nInfo = Pick<N8nInstance, 'baseUrl' | 'port' | 'apiKey' | 'userFolder' | 'version' | 'major'>;

/**
 * The n8n this run shares between test files, wiped clean for the caller: no workflows (and so no
 * executions), no executions left over, no tags. It saves a start of n8n (20–30 s of CPU) per file.
 *
 * Opt in with `n8n = await sharedN8n()` in place of `startN8n()`, for a file that never stops,
 * kills or restarts n8n, needs no custom extensions and leaves no state the wipe misses
 * (credentials, variables, users, settings). A file that restarts n8n keeps its own `startN8n()`:
 * the shared instance answers stop() and start() with an error. dispose() is a no-op here; the
 * global setup stops the instance when the run ends. Started on the first call (per version), so a
 * run of restarting files only never starts it.
 */
export async function sharedN8n(options: { version?: string } = {}): Promise<N8nInstance> {
  const version = options.version ?? N8N_VERSION;
  const control = inject('sharedN8nControl');
  for (;;) {
    // The server answers 202 while n8n installs or starts (long-polled in slices, below any client
    // timeout), 200 with the wiped instance, 500 with why it could not.
    const res = await fetch(`${control}/acquire?version=${encodeURIComponent(version)}`, { method: 'POST' });
    const text = await res.text();
    if (res.status === 202) continue;
    if (!res.ok) throw new Error(`the shared n8n ${version}: ${text}`);
    const info = JSON.parse(text) as SharedN8nInfo;
    const restartError = () =>
      Promise.reject(new Error('the shared n8n is not stopped or started by a test file: use startN8n()'));
    return {
      ...info,
      stop: restartError,
      start: restartError,
      async dispose() {},
      output: () => `(the shared n8n ${version} prints to the global setup; see tests/n8n/shared-n8n-setup.ts)`,
    };
  }
}

type Page<T> = { data: T[]; nextCursor?: string | null };

/** Every item of a paged public API list. */
async function listAll<T>(n8n: Pick<N8nInstance, 'baseUrl' | 'apiKey'>, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await api<Page<T>>(
      n8n,
      'GET',
      `${path}?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/**
 * Returns an n8n to the state of a fresh one for the public API: every workflow unpublished
 * (deactivated) and deleted — which deletes its executions — then any execution and tag left.
 * Repeats until the lists are empty: 2.x answers 409 to a delete while an unpublish settles.
 */
export async function wipeN8n(
  n8n: Pick<N8nInstance, 'baseUrl' | 'apiKey' | 'major'>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const attempt = async (method: string, path: string) => {
    try {
      await api(n8n, method, path);
    } catch {
      // Gone meanwhile, or not yet deletable (an unpublish settling): the next round sees it.
    }
  };
  for (;;) {
    const workflows = await listAll<{ id: string; active?: boolean; activeVersionId?: string | null }>(
      n8n,
      '/workflows',
    );
    const executions = await listAll<{ id: string | number }>(n8n, '/executions');
    const tags = await listAll<{ id: string }>(n8n, '/tags');
    if (workflows.length === 0 && executions.length === 0 && tags.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `n8n not wiped in ${timeoutMs} ms: ${workflows.length} workflows, ${executions.length} executions, ${tags.length} tags left`,
      );
    for (const wf of workflows) {
      if (wf.active || (wf.activeVersionId ?? null) !== null)
        await attempt('POST', `/workflows/${wf.id}/${n8n.major >= 2 ? 'unpublish' : 'deactivate'}`);
      await attempt('DELETE', `/workflows/${wf.id}`);
    }
    for (const ex of executions) await attempt('DELETE', `/executions/${ex.id}`);
    for (const tag of tags) await attempt('DELETE', `/tags/${tag.id}`);
    if (workflows.length > 0 || executions.length > 0) await sleep(200);
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
 * Whether n8n serves POST /webhook/<path> now, without starting an execution: a CORS preflight
 * (OPTIONS with Origin and Access-Control-Request-Method) makes n8n look the path up and list
 * its methods in Access-Control-Allow-Methods. A bare OPTIONS is no probe: n8n (1.123 and 2.41)
 * answers it 204 for any path, registered or not.
 */
export async function webhookServed(n8n: Pick<N8nInstance, 'baseUrl'>, path: string): Promise<boolean> {
  const res = await fetch(`${n8n.baseUrl}/webhook/${path}`, {
    method: 'OPTIONS',
    headers: { origin: 'http://flightdeck.invalid', 'access-control-request-method': 'POST' },
  });
  await res.arrayBuffer();
  const methods = (res.headers.get('access-control-allow-methods') ?? '').split(',').map((m) => m.trim());
  return res.ok && methods.includes('POST');
}

/**
 * Waits until n8n serves /webhook/<path>. n8n 2.x registers webhooks asynchronously: right after
 * publishing the path answers 404 for a moment (~50–250 ms here).
 */
export async function waitForWebhook(n8n: Pick<N8nInstance, 'baseUrl'>, path: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await webhookServed(n8n, path))) {
    if (Date.now() > deadline) throw new Error(`n8n does not serve /webhook/${path} after activation`);
    await sleep(50);
  }
}

/** Makes a workflow live with its line's verb: /publish on 2.x, /activate on 1.x. */
export async function makeLive(n8n: N8nInstance, workflowId: string): Promise<void> {
  await api(n8n, 'POST', `/workflows/${workflowId}/${n8n.major >= 2 ? 'publish' : 'activate'}`);
}

/** Creates a workflow, makes it live and waits until its webhook answers; returns its id. */
export async function createLiveWorkflow(n8n: N8nInstance, body: unknown, path: string): Promise<string> {
  const created = await api<{ id: string }>(n8n, 'POST', '/workflows', body);
  await makeLive(n8n, created.id);
  await waitForWebhook(n8n, path);
  return created.id;
}

/** Creates and activates (publishes) a webhook workflow, and waits until its webhook answers; returns its id. */
export async function createWebhookWorkflow(n8n: N8nInstance, options: WebhookWorkflowOptions): Promise<string> {
  return createLiveWorkflow(n8n, webhookWorkflow(options), options.path);
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
