import { describe, expect, it } from 'vitest';
import { rankItems, type PaletteItem } from './palette-items';

const item = (label: string, group = 'Area', hint?: string): PaletteItem => ({
  id: label,
  label,
  group,
  ...(hint ? { hint } : {}),
});

describe('palette ranking', () => {
  const items = [
    item('Instances'),
    item('Settings'),
    item('Orders sync', 'Workflow', 'prod'),
    item('Customer orders', 'Workflow', 'staging'),
    item('New schedule', 'Action'),
  ];

  it('keeps the given order without a query', () => {
    expect(rankItems(items, '  ').map((i) => i.label)).toEqual(items.map((i) => i.label));
  });

  it('puts a label that starts with the query first, then a word that does, then the rest', () => {
    expect(rankItems(items, 'ord').map((i) => i.label)).toEqual(['Orders sync', 'Customer orders']);
    expect(rankItems(items, 'sch').map((i) => i.label)).toEqual(['New schedule']);
  });

  it('matches every word, in the label, the hint or the group', () => {
    expect(rankItems(items, 'orders prod').map((i) => i.label)).toEqual(['Orders sync']);
    expect(rankItems(items, 'workflow staging').map((i) => i.label)).toEqual(['Customer orders']);
    expect(rankItems(items, 'nothing')).toEqual([]);
  });

  it('caps the list', () => {
    const many = Array.from({ length: 200 }, (_, i) => item(`Item ${i}`));
    expect(rankItems(many, 'item', 20)).toHaveLength(20);
  });
});
