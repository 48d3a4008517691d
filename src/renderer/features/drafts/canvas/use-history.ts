import { useCallback, useReducer } from 'react';

export interface State<T> {
  past: { value: T; what: string }[];
  present: T;
  future: { value: T; what: string }[];
  /** Moves on every undo and redo: editors holding their own text re-read it (keyed by it). */
  generation: number;
}
export type Action<T> =
  | { kind: 'set'; next: (prev: T) => T }
  | { kind: 'record'; next: T; what: string }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'reset'; next: T };

/** Steps kept; older ones fall off. */
const DEPTH = 100;

/** The history as a pure step (exported for its test). */
export function reduce<T>(s: State<T>, a: Action<T>): State<T> {
  switch (a.kind) {
    case 'set':
      return { ...s, present: a.next(s.present), future: [] };
    case 'record':
      return { ...s, past: [...s.past, { value: s.present, what: a.what }].slice(-DEPTH), present: a.next, future: [] };
    case 'undo': {
      const last = s.past[s.past.length - 1];
      if (!last) return s;
      return {
        past: s.past.slice(0, -1),
        present: last.value,
        future: [{ value: s.present, what: last.what }, ...s.future],
        generation: s.generation + 1,
      };
    }
    case 'redo': {
      const next = s.future[0];
      if (!next) return s;
      return {
        past: [...s.past, { value: s.present, what: next.what }],
        present: next.value,
        future: s.future.slice(1),
        generation: s.generation + 1,
      };
    }
    case 'reset':
      return { past: [], present: a.next, future: [], generation: s.generation + 1 };
  }
}

/**
 * A value with undo: `record` makes an undoable step (a canvas action); `set` changes the value
 * without one (typing in a field, which has its own undo) and drops the redo steps.
 */
export function useHistory<T>(initial: () => T) {
  const [state, dispatch] = useReducer(reduce<T>, undefined, () => ({
    past: [],
    present: initial(),
    future: [],
    generation: 0,
  }));
  return {
    value: state.present,
    generation: state.generation,
    canUndo: state.past.length > 0,
    canRedo: state.future.length > 0,
    /** What the next undo takes back ("Deleted Set"). */
    undoLabel: state.past[state.past.length - 1]?.what ?? null,
    redoLabel: state.future[0]?.what ?? null,
    set: useCallback((next: (prev: T) => T) => dispatch({ kind: 'set', next }), []),
    record: useCallback((next: T, what: string) => dispatch({ kind: 'record', next, what }), []),
    undo: useCallback(() => dispatch({ kind: 'undo' }), []),
    redo: useCallback(() => dispatch({ kind: 'redo' }), []),
    reset: useCallback((next: T) => dispatch({ kind: 'reset', next }), []),
  };
}
export type History<T> = ReturnType<typeof useHistory<T>>;
