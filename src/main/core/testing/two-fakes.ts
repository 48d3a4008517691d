import type { Core } from '../create-core';
import { systemClock } from '../clock';
import { createCore } from '../create-core';
import { startFakeN8n, type FakeN8n, type FakeNode } from './fake-n8n';
import { tempDir } from './test-core';

type Reply<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: unknown } };

/** A call's data, or a thrown error carrying the refusal (for set-up steps that must succeed). */
export const data = async <T>(p: Promise<Reply<T>>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data;
};

export interface TwoFakes {
  core: Core;
  dev: FakeN8n;
  prod: FakeN8n;
  dataDir: string;
  /** Instance ids in the core. */
  ids: { dev: string; prod: string };
}

/**
 * A core with two instances on two loopback fakes, "dev" and "prod" (sync off), for promotion and
 * snapshot restores between instances. `cleanups` receives what the caller's afterEach tears down.
 */
export async function coreOnTwoFakes(
  cleanups: (() => unknown)[],
  versions: { dev?: string; prod?: string } = {},
): Promise<TwoFakes> {
  const dev = await startFakeN8n(versions.dev ? { version: versions.dev } : {});
  const prod = await startFakeN8n(versions.prod ? { version: versions.prod } : {});
  const dir = tempDir();
  const core = createCore({ dataDir: dir.path, clock: systemClock, checkOutputs: true });
  cleanups.push(
    dir.remove,
    () => dev.close(),
    () => prod.close(),
    () => core.close(),
  );
  const add = async (name: 'dev' | 'prod', fake: FakeN8n) =>
    (
      await data(
        core.call('instances:add', {
          name,
          baseUrl: fake.baseUrl,
          apiKey: fake.apiKey,
          environment: name,
          color: '#2f6fed',
          syncEnabled: false,
        }),
      )
    ).id;
  return { core, dev, prod, dataDir: dir.path, ids: { dev: await add('dev', dev), prod: await add('prod', prod) } };
}

/** A Webhook → Set workflow's nodes: the webhook listens on `path`, the Set node holds `value`. */
export const webhookThenSet = (path: string, value: string): FakeNode[] => [
  {
    id: `${path}-hook`,
    name: 'Webhook',
    type: 'n8n-nodes-base.webhook',
    typeVersion: 2,
    position: [0, 0],
    webhookId: `wh-${path}`,
    parameters: { httpMethod: 'POST', path, responseMode: 'onReceived' },
  },
  {
    id: `${path}-set`,
    name: 'Set',
    type: 'n8n-nodes-base.set',
    typeVersion: 3.4,
    position: [220, 0],
    parameters: { value },
  },
];
