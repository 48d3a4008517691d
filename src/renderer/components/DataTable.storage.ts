import { useEffect, useState } from 'react';

/**
 * What a console view remembers between sessions (a table's sort, widths and shown columns, a
 * split's width), in localStorage under `flightdeck.<key>`. One helper so every table remembers the
 * same way; a value another version wrote, or a refused storage, falls back to the defaults.
 */
export function recall<T extends object>(key: string, defaults: T): T {
  try {
    const raw = localStorage.getItem(`flightdeck.${key}`);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return { ...defaults, ...(parsed as Partial<T>) };
  } catch {
    // Unreadable: start from the defaults.
  }
  return defaults;
}

export function remember(key: string, value: unknown): void {
  try {
    localStorage.setItem(`flightdeck.${key}`, JSON.stringify(value));
  } catch {
    // Storage full or refused: the layout is simply not remembered.
  }
}

/** `useState` that starts from what was remembered under `key` and remembers every change. */
export function useRemembered<T extends object>(key: string, defaults: T) {
  const [value, setValue] = useState<T>(() => recall(key, defaults));
  useEffect(() => remember(key, value), [key, value]);
  return [value, setValue] as const;
}
