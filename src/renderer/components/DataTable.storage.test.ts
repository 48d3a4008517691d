import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recall, remember } from './DataTable.storage';

/** A Map-backed localStorage (node has none); `refuse` makes every write throw, as a full one does. */
function fakeStorage(refuse = false) {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => {
      if (refuse) throw new Error('QuotaExceededError');
      items.set(key, value);
    },
  };
}

describe('remembered layouts', () => {
  let storage: ReturnType<typeof fakeStorage>;
  beforeEach(() => {
    storage = fakeStorage();
    (globalThis as { localStorage?: unknown }).localStorage = storage;
  });
  afterEach(() => delete (globalThis as { localStorage?: unknown }).localStorage);

  const defaults = { sorting: [{ id: 'fired', desc: true }], visibility: { hash: false } };

  it('starts from the defaults, then from what was remembered, field by field', () => {
    expect(recall('table.audit', defaults)).toEqual(defaults);
    remember('table.audit', { visibility: { why: false } });
    expect(storage.items.get('flightdeck.table.audit')).toBe('{"visibility":{"why":false}}');
    // The operator's choice of columns replaces the default one; the sort they never touched stays the default.
    expect(recall('table.audit', defaults)).toEqual({ sorting: defaults.sorting, visibility: { why: false } });
  });

  it('falls back to the defaults on what another version (or a hand) wrote', () => {
    for (const junk of ['{not json', '[1,2]', '"text"', 'null', '42']) {
      storage.items.set('flightdeck.table.audit', junk);
      expect(recall('table.audit', defaults)).toEqual(defaults);
    }
  });

  it('keeps working when storage refuses to write or is missing', () => {
    (globalThis as { localStorage?: unknown }).localStorage = fakeStorage(true);
    expect(() => remember('split.workflows', { width: 500 })).not.toThrow();
    delete (globalThis as { localStorage?: unknown }).localStorage;
    expect(() => remember('split.workflows', { width: 500 })).not.toThrow();
    expect(recall('split.workflows', { width: 460 })).toEqual({ width: 460 });
  });
});
