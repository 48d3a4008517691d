/**
 * Limits every door applies to what it receives: the HTTP ingest door, the WebSocket contract and
 * Electron IPC. One place, so the same event is refused the same way whichever door it came in by.
 */
export interface InputLimits {
  /** Largest accepted payload (an event body, a WebSocket frame, a contract argument), bytes. */
  maxPayloadBytes: number;
  /** Deepest accepted nesting of JSON objects and arrays. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: InputLimits = { maxPayloadBytes: 1024 * 1024, maxDepth: 64 };

/** FLIGHTDECK_MAX_PAYLOAD_BYTES overrides the payload limit (a positive integer, bytes). */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): InputLimits {
  const bytes = Number(env.FLIGHTDECK_MAX_PAYLOAD_BYTES);
  return {
    ...DEFAULT_LIMITS,
    ...(Number.isInteger(bytes) && bytes > 0 ? { maxPayloadBytes: bytes } : {}),
  };
}

/**
 * Nesting depth of JSON text, without parsing it (so a hostile document cannot exhaust the stack
 * of whatever parses or walks it later). Brackets inside strings do not count.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Nesting depth of an already parsed value, walked iteratively (no recursion to overflow). */
export function valueDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > stopAt) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, here]);
  }
  return deepest;
}
