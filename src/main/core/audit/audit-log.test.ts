import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../testing/test-core';
import { createAuditLog } from './audit-log';
import { openStore } from '../db/store';
import { EventBus } from '../events';
import { migrations } from '../db/migrations';
import { tempDir } from '../testing/test-core';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function auditOnDisk() {
  const dir = tempDir();
  const store = openStore({ dataDir: dir.path, bus: new EventBus(), migrations, now: () => 1 });
  cleanups.push(dir.remove, () => store.close());
  let t = 1000;
  const log = createAuditLog(store, () => t++);
  const add = (n: number) => {
    for (let i = 0; i < n; i++) {
      store.write((announce) =>
        log.record(announce, {
          actor: 'ana',
          action: 'execution.retry',
          targetType: 'execution',
          targetId: String(i),
          details: { i },
        }),
      );
    }
  };
  return { store, log, add };
}

describe('audit log', () => {
  it('chains entries and verifies an untouched log', () => {
    const { log, add } = auditOnDisk();
    add(5);
    expect(log.verify()).toEqual({
      ok: true,
      checked: 5,
      firstBadId: null,
      message: 'All 5 audit entries are intact.',
    });
  });

  it('detects an edited entry', () => {
    const { store, log, add } = auditOnDisk();
    add(5);
    store.db.prepare("UPDATE audit_log SET reason = 'nothing to see' WHERE id = 3").run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('detects a deleted entry', () => {
    const { store, log, add } = auditOnDisk();
    add(5);
    store.db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(log.verify()).toMatchObject({ ok: false, firstBadId: 3 });
  });

  it('pages newest first and filters by target', () => {
    const { log, add } = auditOnDisk();
    add(5);
    const first = log.list({ limit: 2 });
    expect(first.entries.map((e) => e.targetId)).toEqual(['4', '3']);
    const second = log.list({ limit: 2, beforeId: first.nextBeforeId! });
    expect(second.entries.map((e) => e.targetId)).toEqual(['2', '1']);
    expect(log.list({ limit: 10, targetType: 'execution', targetId: '0' }).entries).toHaveLength(1);
  });

  it('records settings changes through the contract', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    await t.core.call('settings:update', { patch: { retentionDays: 12 } });
    const list = await t.core.call('audit:list', {});
    expect(list.ok && list.data.entries[0]).toMatchObject({
      action: 'settings.update',
      details: { changed: { retentionDays: 12 } },
    });
    expect(await t.core.call('audit:verify', {})).toMatchObject({ ok: true, data: { ok: true, checked: 1 } });
  });

  it('names every kind of action and target recorded, once each, sorted', async () => {
    const t = testCore();
    cleanups.push(t.cleanup);
    expect(await t.core.call('audit:kinds', {})).toEqual({ ok: true, data: { actions: [], targetTypes: [] } });
    await t.core.call('settings:update', { patch: { retentionDays: 12 } });
    await t.core.call('settings:update', { patch: { retentionDays: 13 } });
    const { log, add } = auditOnDisk();
    add(2);
    expect(log.kinds()).toEqual({ actions: ['execution.retry'], targetTypes: ['execution'] });
    expect(await t.core.call('audit:kinds', {})).toEqual({
      ok: true,
      data: { actions: ['settings.update'], targetTypes: ['settings'] },
    });
  });
});
