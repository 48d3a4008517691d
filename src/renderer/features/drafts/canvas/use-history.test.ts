import { describe, expect, it } from 'vitest';
import { reduce, type State } from './use-history';

const start: State<string> = { past: [], present: 'a', future: [], generation: 0 };

describe('the canvas undo history', () => {
  it('undoes and redoes recorded steps, names them, and moves the generation', () => {
    let s = reduce(start, { kind: 'record', next: 'b', what: 'Added B' });
    s = reduce(s, { kind: 'record', next: 'c', what: 'Deleted A' });
    s = reduce(s, { kind: 'undo' });
    expect(s.present).toBe('b');
    expect(s.future).toEqual([{ value: 'c', what: 'Deleted A' }]);
    expect(s.generation).toBe(1);
    s = reduce(s, { kind: 'redo' });
    expect(s.present).toBe('c');
    expect(s.past.map((p) => p.what)).toEqual(['Added B', 'Deleted A']);
    s = reduce(reduce(reduce(s, { kind: 'undo' }), { kind: 'undo' }), { kind: 'undo' });
    expect(s.present).toBe('a');
    expect(reduce(s, { kind: 'undo' })).toBe(s);
  });

  it('a plain edit keeps the undo steps but drops the redo ones; a reset drops both', () => {
    let s = reduce(start, { kind: 'record', next: 'b', what: 'Moved' });
    s = reduce(s, { kind: 'undo' });
    s = reduce(s, { kind: 'set', next: (v) => `${v}!` });
    expect(s).toMatchObject({ present: 'a!', future: [], past: [] });
    s = reduce(s, { kind: 'record', next: 'x', what: 'Connected' });
    expect(reduce(s, { kind: 'reset', next: 'n8n' })).toMatchObject({ present: 'n8n', past: [], future: [] });
  });

  it('keeps at most 100 steps', () => {
    let s = start;
    for (let i = 0; i < 130; i++) s = reduce(s, { kind: 'record', next: String(i), what: `step ${i}` });
    expect(s.past).toHaveLength(100);
    expect(s.past[0]?.what).toBe('step 30');
  });
});
