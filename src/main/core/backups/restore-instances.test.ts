import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallOutput, Instance } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import { startFakeN8n } from '../testing/fake-n8n';
import { testCore } from '../testing/test-core';

// Restores as a hostile neighbour would craft them, through the whole core, against loopback fake
// n8n instances that record every request (headers included).

const KEY = 'n8n_api_RESTORE-TEST-KEY-7c1f';
const OTHER_KEY = 'n8n_api_SECOND-INSTANCE-KEY-55e0';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * A loopback fake n8n that accepts only `key` and records every request on arrival, headers
 * included; `holdExecutions` holds its execution list until it settles (a slow sync pass).
 * Another key is still recorded as sent, as an attacker's listener would see it.
 */
async function recordingN8n(key: string, options: { holdExecutions?: Promise<void> } = {}) {
  const fake = await startFakeN8n({ apiKey: key });
  cleanups.push(() => fake.close());
  const hold = options.holdExecutions;
  if (hold) fake.state.apiHold = (request) => (request.startsWith('GET /api/v1/executions') ? hold : undefined);
  return {
    url: fake.baseUrl,
    state: fake.state,
    /** Requests that carried an API key at all, and which one. */
    keysSent: () => fake.state.received.map((r) => r.headers['x-n8n-api-key']).filter((k) => k !== undefined),
  };
}

function data<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data;
}

function core() {
  const t = testCore({ n8n: { retries: 0, timeoutMs: 5_000, intervalMs: 3_600_000 } });
  cleanups.push(t.cleanup);
  const events: { event: string; payload: unknown }[] = [];
  t.core.subscribe((event, payload) => void events.push({ event, payload }));
  const instance = async (id: string): Promise<Instance> => {
    const { instances } = data(await t.core.call('instances:list', {}));
    const found = instances.find((i) => i.id === id);
    if (!found) throw new Error(`no instance ${id}`);
    return found;
  };
  return { ...t, events, instance };
}

/** Puts a backup file into the console's own backups folder (the only place a restore reads). */
function place(dataDir: string, bytes: Buffer, suffix: string): string {
  const folder = join(dataDir, 'backups');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `flightdeck-backup-2030-01-01T00-00-00Z-${suffix}.fdbk`);
  writeFileSync(path, bytes);
  return path;
}

/**
 * Edits a plain backup as an attacker would: changes one column of the rows of a table and
 * recomputes that section's SHA-256 in the manifest, so every check the file carries still holds.
 */
function craft(path: string, table: string, column: string, edit: () => unknown): Buffer {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean);
  let section: { name: string; columns: string[] } | null = null;
  let hash = createHash('sha256');
  const out: string[] = [];
  for (const line of lines) {
    const value = JSON.parse(line) as { t: string; name?: string; columns?: string[]; v?: unknown[] };
    if (value.t === 'section') {
      section = { name: value.name ?? '', columns: value.columns ?? [] };
      if (section.name === `table:${table}`) hash = createHash('sha256');
    }
    if (value.t === 'row' && section?.name === `table:${table}` && value.v) {
      value.v[section.columns.indexOf(column)] = edit();
      const edited = JSON.stringify(value);
      hash.update(edited + '\n');
      out.push(edited);
      continue;
    }
    if (value.t === 'manifest') {
      const manifest = value as unknown as { sections: { name: string; sha256: string }[] };
      const listed = manifest.sections.find((s) => s.name === `table:${table}`);
      if (listed) listed.sha256 = hash.digest('hex');
      out.push(JSON.stringify(manifest));
      continue;
    }
    out.push(line);
  }
  return gzipSync(Buffer.from(out.join('\n') + '\n'));
}

describe('restoring instances', { timeout: 60_000 }, () => {
  it('a crafted plain backup that moves an instance restores without its key: the key never reaches the new address', async () => {
    const legit = await recordingN8n(KEY);
    const attacker = await recordingN8n('n8n_api_ATTACKER-LISTENER-KEY');
    const t = core();
    const { id } = data(
      await t.core.call('instances:add', {
        name: 'prod',
        baseUrl: legit.url,
        apiKey: KEY,
        environment: 'prod',
        color: '#2f6fed',
      }),
    );
    // The control: these listeners do see the key when it is sent.
    expect(data(await t.core.call('instances:test', { id })).ok).toBe(true);
    expect(legit.keysSent()).toContain(KEY);

    const made = data(await t.core.call('backups:export', {}));
    expect(made.manifest.secrets).toBe('dropped');
    const crafted = craft(made.file.path, 'instances', 'base_url', () => attacker.url);
    const path = place(t.dataDir, crafted, 'evil01');

    const plan = data(await t.core.call('backups:inspect', { source: { kind: 'file', path } }));
    expect(plan.instances).toEqual([
      expect.objectContaining({
        instanceId: id,
        action: 'change',
        name: { before: 'prod', after: 'prod' },
        baseUrl: { before: legit.url, after: attacker.url },
        apiKey: 'dropped',
      }),
    ]);
    expect(plan.warnings.join('\n')).toContain(`prod: Its address changes (${legit.url} → ${attacker.url})`);

    const restored = data(await t.core.call('backups:restore', { restoreId: plan.restoreId }));
    expect(restored.instances).toEqual(plan.instances);
    expect(restored.warnings).toEqual([expect.stringContaining('Enter the key again')]);
    expect(await t.instance(id)).toMatchObject({ baseUrl: attacker.url, hasApiKey: false, apiKeyLast4: '' });

    // Every way the console talks to an instance: a connection test, a sync pass (the restore
    // also started one on its own, in the background).
    const tested = await t.core.call('instances:test', { id });
    expect(tested.ok ? tested.data.ok : false).toBe(false);
    expect(!tested.ok && tested.error.message).toContain('No API key is stored for "prod"');
    const synced = data(await t.core.call('instances:syncNow', { id }));
    expect(synced).toMatchObject({ outcome: 'failed', error: expect.stringContaining('enter it again') });
    expect(attacker.keysSent()).toEqual([]);
    expect(JSON.stringify(attacker.state.received)).not.toContain(KEY);
    // The instance itself says what to do.
    expect((await t.instance(id)).sync).toMatchObject({
      state: 'error',
      lastError: expect.stringContaining('enter it again'),
    });
    const audit = data(await t.core.call('audit:list', {}));
    expect(audit.entries.find((e) => e.action === 'backup.restore')?.details).toMatchObject({ keysDropped: [id] });
  });

  it('a key whose address was changed outside the instance form does not open, so it is sent nowhere', async () => {
    // Defence in depth: the key is sealed to its instance id and address (GCM associated data).
    const legit = await recordingN8n(KEY);
    const attacker = await recordingN8n('n8n_api_ATTACKER-LISTENER-KEY');
    const t = core();
    const { id } = data(
      await t.core.call('instances:add', {
        name: 'prod',
        baseUrl: legit.url,
        apiKey: KEY,
        environment: 'prod',
        color: '#2f6fed',
      }),
    );
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(t.dataDir, 'flightdeck.sqlite'));
    db.prepare('UPDATE instances SET base_url = ? WHERE id = ?').run(attacker.url, id);
    db.close();
    const tested = await t.core.call('instances:test', { id });
    expect(!tested.ok && tested.error.message).toContain('does not open here');
    expect(attacker.keysSent()).toEqual([]);
  });

  it('the preview lists a change of the public webhook URL and the wait inbox, and the restore brings them back', async () => {
    const legit = await recordingN8n(KEY);
    const t = core();
    const { id } = data(
      await t.core.call('instances:add', {
        name: 'prod',
        baseUrl: legit.url,
        apiKey: KEY,
        environment: 'prod',
        color: '#2f6fed',
      }),
    );
    const hooks = 'https://hooks.example.com';
    data(
      await t.core.call('instances:update', {
        id,
        patch: { publicWebhookUrl: hooks, waitInbox: { enabled: true, workflowIds: ['wfA', 'wfB'] } },
      }),
    );
    const made = data(await t.core.call('backups:export', {}));
    const path = place(t.dataDir, readFileSync(made.file.path), 'hooks1');

    // Unchanged since the backup: nothing to list.
    const same = data(await t.core.call('backups:inspect', { source: { kind: 'file', path } }));
    expect(same.instances).toEqual([
      expect.objectContaining({
        action: 'unchanged',
        publicWebhookUrl: { before: hooks, after: hooks },
        waitInbox: {
          before: { enabled: true, workflowIds: ['wfA', 'wfB'] },
          after: { enabled: true, workflowIds: ['wfA', 'wfB'] },
        },
        settings: [],
      }),
    ]);
    expect(same.warnings.join('\n')).not.toMatch(/public webhook URL/);

    // Since the backup: the operator cleared the public URL and narrowed the wait inbox, then turned it off.
    data(
      await t.core.call('instances:update', {
        id,
        patch: { publicWebhookUrl: null, waitInbox: { enabled: false, workflowIds: ['wfA'] } },
      }),
    );
    const plan = data(await t.core.call('backups:inspect', { source: { kind: 'file', path } }));
    expect(plan.instances).toEqual([
      expect.objectContaining({
        instanceId: id,
        action: 'change',
        name: { before: 'prod', after: 'prod' },
        baseUrl: { before: legit.url, after: legit.url },
        publicWebhookUrl: { before: null, after: hooks },
        waitInbox: {
          before: { enabled: false, workflowIds: ['wfA'] },
          after: { enabled: true, workflowIds: ['wfA', 'wfB'] },
        },
        settings: [
          `Public webhook URL: none (the address above) → ${hooks}`,
          'Waits in the inbox: off → on, 2 workflows (wfA, wfB)',
        ],
        apiKey: 'kept',
      }),
    ]);
    expect(plan.warnings).toContain(
      `prod: its public webhook URL changes (none → ${hooks}); waits registered on the new one are accepted and resumed there.`,
    );

    const restored = data(await t.core.call('backups:restore', { restoreId: plan.restoreId }));
    expect(restored.instances).toEqual(plan.instances);
    expect(await t.instance(id)).toMatchObject({
      publicWebhookUrl: hooks,
      waitInbox: { enabled: true, workflowIds: ['wfA', 'wfB'] },
      hasApiKey: true,
    });
  });

  it('the preview names environment, colour and sync changes too (they made a row "change" without saying why)', async () => {
    const t = core();
    const { id } = data(
      await t.core.call('instances:add', {
        name: 'stage',
        baseUrl: 'http://127.0.0.1:9',
        apiKey: KEY,
        environment: 'staging',
        color: '#2f6fed',
      }),
    );
    const made = data(await t.core.call('backups:export', {}));
    data(
      await t.core.call('instances:update', {
        id,
        patch: { environment: 'prod', color: '#d03030', syncEnabled: false },
      }),
    );
    const path = place(t.dataDir, readFileSync(made.file.path), 'colour');
    const plan = data(await t.core.call('backups:inspect', { source: { kind: 'file', path } }));
    expect(plan.instances[0]).toMatchObject({
      action: 'change',
      publicWebhookUrl: { before: null, after: null },
      settings: ['Environment: prod → staging', 'Colour: #d03030 → #2f6fed', 'Sync: off → on'],
    });
    expect(plan.warnings.join('\n')).not.toMatch(/public webhook URL/);
  });

  it('keeps the key of an instance whose address the backup leaves alone, and drops none of it on the way', async () => {
    const legit = await recordingN8n(KEY);
    const t = core();
    const { id } = data(
      await t.core.call('instances:add', {
        name: 'prod',
        baseUrl: legit.url,
        apiKey: KEY,
        environment: 'prod',
        color: '#2f6fed',
      }),
    );
    const made = data(await t.core.call('backups:export', {}));
    const renamed = craft(made.file.path, 'instances', 'name', () => 'production');
    const path = place(t.dataDir, renamed, 'rename');
    const plan = data(await t.core.call('backups:inspect', { source: { kind: 'file', path } }));
    expect(plan.instances).toEqual([
      expect.objectContaining({ action: 'change', name: { before: 'prod', after: 'production' }, apiKey: 'kept' }),
    ]);
    data(await t.core.call('backups:restore', { restoreId: plan.restoreId }));
    expect(await t.instance(id)).toMatchObject({ name: 'production', hasApiKey: true, apiKeyLast4: KEY.slice(-4) });
    expect(data(await t.core.call('instances:test', { id })).ok).toBe(true);
  });

  it('after a restore a new instance syncs on its own and a moved one is reached at its restored address, without a restart', async () => {
    const first = await recordingN8n(KEY);
    const second = await recordingN8n(OTHER_KEY);
    const elsewhere = await recordingN8n(KEY);
    const t = core();
    const add = async (name: string, baseUrl: string, apiKey: string) =>
      data(await t.core.call('instances:add', { name, baseUrl, apiKey, environment: 'prod', color: '#2f6fed' })).id;
    const a = await add('a', first.url, KEY);
    const b = await add('b', second.url, OTHER_KEY);
    await expect.poll(async () => (await t.instance(b)).sync.state, { timeout: 10_000 }).toBe('ok');
    const made = data(await t.core.call('backups:export', { passphrase: 'restore test passphrase' }));

    // Since the backup: the operator moved a (re-entering nothing: the form re-seals the key) and removed b.
    data(await t.core.call('instances:update', { id: a, patch: { baseUrl: elsewhere.url } }));
    expect(data(await t.core.call('instances:test', { id: a })).ok).toBe(true);
    expect(elsewhere.keysSent()).toContain(KEY);
    data(await t.core.call('instances:remove', { id: b }));
    for (const listener of [first, second, elsewhere]) listener.state.received.length = 0;

    const path = place(t.dataDir, readFileSync(made.file.path), 'sealed');
    const plan = data(
      await t.core.call('backups:inspect', { source: { kind: 'file', path }, passphrase: 'restore test passphrase' }),
    );
    const byId = (list: CallOutput<'backups:inspect'>['instances'], id: string) =>
      list.find((i) => i.instanceId === id);
    expect(byId(plan.instances, a)).toMatchObject({
      action: 'change',
      baseUrl: { before: elsewhere.url, after: first.url },
      apiKey: 'restored',
    });
    expect(byId(plan.instances, b)).toMatchObject({
      action: 'add',
      name: { before: null, after: 'b' },
      apiKey: 'restored',
    });
    t.events.length = 0;
    data(await t.core.call('backups:restore', { restoreId: plan.restoreId }));

    // b was never synced by hand: the restore planned its pass (the interval here is an hour).
    await expect.poll(() => second.keysSent().length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(new Set(second.keysSent())).toEqual(new Set([OTHER_KEY]));
    await expect.poll(async () => (await t.instance(b)).sync.state, { timeout: 10_000 }).toBe('ok');
    // a's client follows its restored address (it was cached for the other one).
    await expect.poll(() => first.keysSent().length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(data(await t.core.call('instances:test', { id: a })).ok).toBe(true);
    expect(elsewhere.state.received).toEqual([]);

    // Every area announced its reload, and then one event told every window to refetch.
    const names = t.events.map((e) => e.event);
    expect(names).toEqual(
      expect.arrayContaining([
        'settings:changed',
        'instances:changed',
        'workflows:changed',
        'executions:changed',
        'mappings:changed',
        'schedules:changed',
        'approvals:changed',
        'drafts:changed',
        'metrics:updated',
        'backups:restored',
      ]),
    );
    const restoredAt = names.indexOf('backups:restored');
    expect(names.indexOf('settings:changed')).toBeLessThan(restoredAt);
    expect(names.indexOf('drafts:changed')).toBeLessThan(restoredAt);
  });

  it('plans a restored schedule from the moment of the restore: a tick the backup left in the past is not run again', async () => {
    const t = core();
    const created = data(
      await t.core.call('schedules:create', {
        draft: {
          name: 'hourly',
          event: 'report.hourly',
          timing: { kind: 'interval', everyMs: 3_600_000, timeZone: 'UTC' },
        },
      }),
    );
    const t0 = t.clock.now();
    expect(created.nextRunMs).toBe(t0 + 3_600_000);
    const made = data(await t.core.call('backups:export', {}));
    // Two hours on: the console before the restore has had its 1 h tick (fired or caught up).
    t.clock.advance(2 * 3_600_000);
    const path = place(t.dataDir, readFileSync(made.file.path), 'sched1');
    const plan = data(await t.core.call('backups:inspect', { source: { kind: 'file', path } }));
    data(await t.core.call('backups:restore', { restoreId: plan.restoreId }));
    // The backup's next tick (1 h) is in the past: without the hook it would be caught up as a misfire.
    expect(data(await t.core.call('schedules:get', { id: created.id })).nextRunMs).toBe(t0 + 3 * 3_600_000);
  });

  it('a sync pass in flight against the old address when the restore commits stops there, and a fresh one reaches the restored address', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const restoredAddress = await recordingN8n(KEY);
    const slow = await recordingN8n(KEY, { holdExecutions: held });
    const t = core();
    const { id } = data(
      await t.core.call('instances:add', {
        name: 'prod',
        baseUrl: restoredAddress.url,
        apiKey: KEY,
        environment: 'prod',
        color: '#2f6fed',
      }),
    );
    await expect.poll(async () => (await t.instance(id)).sync.state, { timeout: 10_000 }).toBe('ok');
    const made = data(await t.core.call('backups:export', { passphrase: 'restore test passphrase' }));
    data(await t.core.call('instances:update', { id, patch: { baseUrl: slow.url } }));
    const inFlight = t.core.call('instances:syncNow', { id });
    await expect
      .poll(() => slow.state.received.some((r) => r.url.startsWith('/api/v1/executions')), { timeout: 10_000 })
      .toBe(true);

    const path = place(t.dataDir, readFileSync(made.file.path), 'flight');
    const plan = data(
      await t.core.call('backups:inspect', { source: { kind: 'file', path }, passphrase: 'restore test passphrase' }),
    );
    const before = restoredAddress.keysSent().length;
    data(await t.core.call('backups:restore', { restoreId: plan.restoreId }));
    release();
    // The old pass ends without recording anything about the restored row.
    expect(await inFlight).toMatchObject({ ok: false, error: { message: expect.stringContaining('Sync restarted') } });
    await expect.poll(() => restoredAddress.keysSent().length, { timeout: 10_000 }).toBeGreaterThan(before);
    await expect.poll(async () => (await t.instance(id)).sync.state, { timeout: 10_000 }).toBe('ok');
    const log = data(await t.core.call('instances:syncLog', { id, limit: 20 }));
    expect(log.entries.every((e) => e.outcome === 'ok')).toBe(true);
  });
});
