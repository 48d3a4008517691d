import type { AreaId } from '../areas';

/** One thing the palette can do: open a place or run an action. */
export interface PaletteItem {
  id: string;
  /** What the operator reads (and what the query matches). */
  label: string;
  /** Where it belongs: Area, Instance, Workflow, Mapping, Run, Action. */
  group: string;
  /** Extra words that match but are shown small (an instance's name for a workflow, an event). */
  hint?: string;
  /** A route to open, or an action to run. */
  route?: { area: AreaId; item: readonly (string | number)[] };
  run?: () => void;
}

/**
 * Ranks items against what was typed: every word must occur (in label or hint); a label that
 * starts with the query comes first, then one with a word starting with it, then the rest. Empty
 * query: the items as given (areas first).
 */
export function rankItems(items: readonly PaletteItem[], query: string, max = 50): PaletteItem[] {
  const q = query.trim().toLowerCase();
  if (!q) return items.slice(0, max);
  const words = q.split(/\s+/);
  const scored: { item: PaletteItem; score: number; index: number }[] = [];
  items.forEach((item, index) => {
    const label = item.label.toLowerCase();
    const text = `${label} ${(item.hint ?? '').toLowerCase()} ${item.group.toLowerCase()}`;
    if (!words.every((w) => text.includes(w))) return;
    const score = label.startsWith(q) ? 0 : label.split(/[\s/·:-]+/).some((w) => w.startsWith(q)) ? 1 : 2;
    scored.push({ item, score, index });
  });
  return scored
    .sort((a, b) => a.score - b.score || a.index - b.index)
    .slice(0, max)
    .map((s) => s.item);
}
