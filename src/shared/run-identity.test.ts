import { describe, expect, it } from 'vitest';
import { formatLocalRuns, formatRun, formatRunShort, parseRunNumber, runIdentity } from './run-identity';

const names = (id: string | null) => (id === 'i-prod' ? 'prod' : null);

describe('one identity per run', () => {
  it('numbers local runs FD-n and n8n executions n8n #n, never one shared #', () => {
    const local = { id: 29, source: 'local' as const, remoteId: null, instanceId: 'i-prod' };
    const linked = { ...local, remoteId: '812' };
    const synced = { id: 30, source: 'remote' as const, remoteId: '29', instanceId: 'i-prod' };
    expect(formatRun(local, names)).toBe('FD-29');
    expect(formatRun(linked, names)).toBe('FD-29 → n8n #812 on prod');
    expect(formatRun(synced, names)).toBe('n8n #29 on prod');
    // The same number in both namespaces reads differently.
    expect(formatRun(local, names)).not.toBe(formatRun(synced, names));
    expect(formatRunShort(linked)).toBe('FD-29 → n8n #812');
    expect(formatRunShort(synced)).toBe('n8n #29');
  });

  it("keeps a local run's number once it is linked, and names an unknown instance by its id", () => {
    const before = runIdentity({ id: 7, source: 'local', remoteId: null, instanceId: 'i-x' }, names);
    const after = runIdentity({ id: 7, source: 'local', remoteId: '3', instanceId: 'i-x' }, names);
    expect(before.primary).toBe(after.primary);
    expect(after).toEqual({
      primary: 'FD-7',
      linked: 'n8n #3',
      instance: 'i-x',
      text: 'FD-7 → n8n #3 on i-x',
      short: 'FD-7 → n8n #3',
    });
    expect(formatRun({ id: 8, source: 'remote', remoteId: '5', instanceId: null })).toBe('n8n #5');
    expect(formatLocalRuns([1, 2])).toBe('FD-1, FD-2');
  });

  it('parses a run number in any of its spellings, and nothing else', () => {
    expect(parseRunNumber('FD-29')).toEqual({ localId: 29, remoteId: null });
    expect(parseRunNumber(' fd29 ')).toEqual({ localId: 29, remoteId: null });
    expect(parseRunNumber('FD-29 → n8n #812 on prod')).toEqual({ localId: 29, remoteId: null });
    expect(parseRunNumber('n8n #812')).toEqual({ localId: null, remoteId: '812' });
    expect(parseRunNumber('N8N 812')).toEqual({ localId: null, remoteId: '812' });
    expect(parseRunNumber('812')).toEqual({ localId: 812, remoteId: '812' });
    expect(parseRunNumber('#0812')).toEqual({ localId: 812, remoteId: '812' });
    expect(parseRunNumber('#0')).toEqual({ localId: null, remoteId: '0' });
    for (const text of ['', 'FD-', 'FD-0', 'order 29', '29 orders', 'n8n', 'FDX-1', '1234567890123456', 'fd-1e3']) {
      expect(parseRunNumber(text)).toBeNull();
    }
  });
});
