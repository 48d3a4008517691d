import { describe, expect, it } from 'vitest';
import { executionItem, executionRowId, hashFor, parseHash, sameRoute } from './routes';

describe('hash routes', () => {
  it('reads areas and items, decoding each segment', () => {
    expect(parseHash('#/executions/FD-29')).toEqual({ area: 'executions', item: ['FD-29'] });
    expect(parseHash('#/workflows/inst%201/abc')).toEqual({ area: 'workflows', item: ['inst 1', 'abc'] });
    expect(parseHash('#/settings')).toEqual({ area: 'settings', item: [] });
    expect(parseHash('#/approvals/12/')).toEqual({ area: 'approvals', item: ['12'] });
  });

  it('falls back to home for anything it does not know, and survives hostile hashes', () => {
    expect(parseHash('')).toEqual({ area: 'instances', item: [] });
    expect(parseHash('#token=abc')).toEqual({ area: 'instances', item: [] });
    expect(parseHash('#/nowhere/1')).toEqual({ area: 'instances', item: [] });
    expect(parseHash('#/constructor')).toEqual({ area: 'instances', item: [] });
    expect(parseHash('#/mappings/%E0%A4%A')).toEqual({ area: 'mappings', item: [] });
    expect(parseHash(`#/mappings/${'x'.repeat(5000)}`)).toEqual({ area: 'instances', item: [] });
    // A token after the route (a shared link) is not part of the item.
    expect(parseHash('#/executions/FD-3?token=abc')).toEqual({ area: 'executions', item: ['FD-3'] });
  });

  it('writes what it reads', () => {
    const hash = hashFor('workflows', 'a/b c', 'x?y#z');
    expect(hash).toBe('#/workflows/a%2Fb%20c/x%3Fy%23z');
    expect(parseHash(hash)).toEqual({ area: 'workflows', item: ['a/b c', 'x?y#z'] });
    expect(hashFor('approvals', 12)).toBe('#/approvals/12');
    expect(sameRoute(parseHash('#/approvals/12'), { area: 'approvals', item: ['12'] })).toBe(true);
  });

  it('names executions as the console does', () => {
    expect(executionItem({ id: 29, source: 'local' })).toBe('FD-29');
    expect(executionItem({ id: 812, source: 'remote' })).toBe('812');
    expect(executionRowId('FD-29')).toBe(29);
    expect(executionRowId('fd29')).toBe(29);
    expect(executionRowId('812')).toBe(812);
    expect(executionRowId('FD-0')).toBeNull();
    expect(executionRowId('x')).toBeNull();
    expect(executionRowId(undefined)).toBeNull();
  });
});
