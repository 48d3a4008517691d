import { createCipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { startFakeN8n } from '../testing/fake-n8n';
import { testCore } from '../testing/test-core';
import { KEY_FILE } from './secret-box';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const KEY = 'n8n_api_SUPERSECRET_9f3a';

async function setup() {
  const fake = await startFakeN8n({ apiKey: KEY });
  const lines: string[] = [];
  const logger = createLogger({ minLevel: 'debug', write: (line) => void lines.push(line) });
  const t = testCore({ logger, n8n: { retries: 0 } });
  const events: unknown[] = [];
  t.core.subscribe((event, payload) => events.push({ event, payload }));
  cleanups.push(fake.close, t.cleanup);
  const add = (name = 'prod', apiKey = KEY) =>
    t.core.call('instances:add', { name, baseUrl: fake.baseUrl + '/', apiKey, environment: 'prod', color: '#2f6fed' });
  return { fake, t, lines, events, add };
}

describe('instances', () => {
  it('stores the key sealed and never returns, announces, audits or logs it', async () => {
    const { t, fake, lines, events, add } = await setup();
    const added = await add();
    expect(added).toMatchObject({
      ok: true,
      data: { name: 'prod', baseUrl: fake.baseUrl, hasApiKey: true, apiKeyLast4: '9f3a' },
    });
    expect(JSON.stringify(added)).not.toContain('SUPERSECRET');
    const list = await t.core.call('instances:list', {});
    const audit = await t.core.call('audit:list', {});
    await t.core.call('instances:update', { id: added.ok ? added.data.id : '', patch: { apiKey: KEY + 'x' } });
    const auditAfter = await t.core.call('audit:list', {});
    for (const thing of [list, audit, auditAfter, events, lines])
      expect(JSON.stringify(thing)).not.toContain('SUPERSECRET');
    expect(auditAfter.ok && auditAfter.data.entries[0]).toMatchObject({
      action: 'instance.update',
      details: { changed: { apiKey: 'replaced' } },
    });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${t.dataDir}/flightdeck.sqlite`, { readonly: true });
    const stored = db.prepare('SELECT api_key_sealed, secret_kind FROM instances').get() as {
      api_key_sealed: string;
      secret_kind: string;
    };
    db.close();
    expect(stored.api_key_sealed).not.toContain('SUPERSECRET');
    expect(stored.secret_kind).toBe('aes-256-gcm-file');
  });

  it('binds a key sealed by an earlier release (v1) to its instance at start, and keeps using it', async () => {
    const { t, add } = await setup();
    const added = await add();
    const id = added.ok ? added.data.id : '';
    // The v1 format exactly as the previous release wrote it: AES-GCM without associated data.
    const key = readFileSync(join(t.dataDir, KEY_FILE));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(KEY, 'utf8'), cipher.final()]);
    const legacy = `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    await t.core.close();
    const { default: Database } = await import('better-sqlite3');
    const file = join(t.dataDir, 'flightdeck.sqlite');
    const db = new Database(file);
    db.prepare('UPDATE instances SET api_key_sealed = ?').run(legacy);
    db.close();

    const again = testCore({ dataDir: t.dataDir, n8n: { retries: 0 } });
    cleanups.push(again.cleanup);
    const stored = () => {
      const read = new Database(file, { readonly: true });
      try {
        return read.prepare('SELECT api_key_sealed FROM instances').pluck().get() as string;
      } finally {
        read.close();
      }
    };
    expect(stored()).toMatch(/^v2:/);
    expect(await again.core.call('instances:test', { id })).toMatchObject({ ok: true, data: { ok: true } });
  });

  it('re-seals the key when the operator moves the instance in its form, and asks for it when it cannot', async () => {
    const { t, add } = await setup();
    const added = await add();
    const id = added.ok ? added.data.id : '';
    const moved = await t.core.call('instances:update', { id, patch: { baseUrl: 'http://fake-n8n.test:5678/n8n' } });
    expect(moved).toMatchObject({ ok: true, data: { hasApiKey: true, apiKeyLast4: '9f3a' } });
    const audit = await t.core.call('audit:list', {});
    expect(audit.ok && audit.data.entries[0]?.details).toMatchObject({
      changed: { apiKey: 'bound to the new address' },
    });
    // A key that does not open here (sealed by the desktop app, say) cannot follow: the move asks for it.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(t.dataDir, 'flightdeck.sqlite'));
    db.prepare("UPDATE instances SET secret_kind = 'electron-safe-storage'").run();
    db.close();
    expect(
      await t.core.call('instances:update', { id, patch: { baseUrl: 'http://fake-n8n.test:5678' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', message: expect.stringContaining('Enter the API key too') },
    });
    expect(
      await t.core.call('instances:update', { id, patch: { baseUrl: 'http://fake-n8n.test:5678', apiKey: KEY } }),
    ).toMatchObject({ ok: true, data: { baseUrl: 'http://fake-n8n.test:5678', hasApiKey: true } });
  });

  it('rejects bad input and changes nothing', async () => {
    const { t } = await setup();
    const bad = [
      { name: 'x', baseUrl: 'ftp://n8n', apiKey: KEY, environment: 'dev', color: '#000000' },
      { name: 'x', baseUrl: 'http://user:pw@n8n.test', apiKey: KEY, environment: 'dev', color: '#000000' },
      { name: 'x', baseUrl: 'http://n8n.test', apiKey: 'short', environment: 'dev', color: '#000000' },
      { name: 'x', baseUrl: 'http://n8n.test', apiKey: KEY, environment: 'dev', color: 'blue' },
      { name: '', baseUrl: 'http://n8n.test', apiKey: KEY, environment: 'dev', color: '#000000' },
      { name: 'x', baseUrl: 'http://n8n.test', apiKey: KEY, environment: 'dev', color: '#000000', extra: 1 },
    ];
    for (const input of bad)
      expect(await t.core.invoke('instances:add', input)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await t.core.call('instances:list', {})).toEqual({ ok: true, data: { instances: [] } });
    expect(await t.core.invoke('instances:update', { id: 'nope', patch: { color: '#ffffff' } })).toMatchObject({
      error: { code: 'NOT_FOUND' },
    });
  });

  it('refuses a second instance with the same name', async () => {
    const { add } = await setup();
    await add('prod');
    expect(await add('prod')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('tests a connection: ok with version and latency, wrong key, unreachable', async () => {
    const { t, fake, add } = await setup();
    const added = await add();
    const id = added.ok ? added.data.id : '';
    expect(await t.core.call('instances:test', { id })).toMatchObject({
      ok: true,
      data: { ok: true, healthy: true, authenticated: true, version: '1.123.81', code: null },
    });
    const wrong = await t.core.call('instances:test', { baseUrl: fake.baseUrl, apiKey: 'wrong-key-123' });
    expect(wrong).toMatchObject({
      ok: true,
      data: { ok: false, healthy: true, authenticated: false, code: 'N8N_UNAUTHORIZED' },
    });
    fake.state.failWith = 503;
    expect(await t.core.call('instances:test', { id })).toMatchObject({
      data: { ok: false, healthy: false, code: 'N8N_UNREACHABLE' },
    });
  });

  it('removes an instance with its workflows and synced executions, and audits it', async () => {
    const { t, fake, add } = await setup();
    fake.addWorkflow('w1', 'Orders');
    fake.addExecutions(3, 'w1');
    const added = await add();
    const id = added.ok ? added.data.id : '';
    expect(await t.core.call('instances:syncNow', { id })).toMatchObject({ data: { outcome: 'ok', executions: 3 } });
    expect(await t.core.call('instances:remove', { id })).toEqual({ ok: true, data: { id } });
    expect((await t.core.call('executions:list', {})).ok && (await t.core.call('executions:list', {}))).toMatchObject({
      data: { executions: [] },
    });
    expect(await t.core.call('workflows:list', {})).toMatchObject({ data: { workflows: [], total: 0 } });
    const audit = await t.core.call('audit:list', {});
    expect(audit.ok && audit.data.entries[0]).toMatchObject({
      action: 'instance.remove',
      details: { executionsRemoved: 3 },
    });
  });
});
