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
    // Binary data (a Buffer or typed array through IPC) is a leaf: walking it byte by byte is
    // what a hostile caller would want.
    if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) continue;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, here]);
  }
  return deepest;
}

/**
 * About the size of a value's JSON text in bytes (UTF-8, escapes not counted), walked
 * iteratively and stopping as soon as it passes `stopAt`: measuring a 500 MB argument costs no
 * more than measuring one just over the limit. Call it on values whose depth was checked.
 */
export function valueSize(value: unknown, stopAt = Infinity): number {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && size <= stopAt) {
    const item = stack.pop();
    if (typeof item === 'string') size += Buffer.byteLength(item, 'utf8') + 2;
    else if (typeof item === 'number' || typeof item === 'bigint') size += String(item).length;
    else if (typeof item === 'boolean') size += item ? 4 : 5;
    else if (item === null || item === undefined) size += 4;
    else if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) size += item.byteLength;
    else if (Array.isArray(item)) {
      size += 2 + Math.max(0, item.length - 1); // brackets and commas
      if (size <= stopAt) for (const child of item) stack.push(child);
    } else if (typeof item === 'object') {
      const entries = Object.entries(item);
      size += 2 + Math.max(0, entries.length - 1);
      for (const [key, child] of entries) {
        size += Buffer.byteLength(key, 'utf8') + 3; // quotes and colon
        stack.push(child);
      }
    }
  }
  return size;
}

/** Which limit an argument breaks, in words naming the limit; null when it is within both. */
export function limitProblem(
  value: unknown,
  limits: InputLimits,
): { limit: keyof InputLimits; max: number; message: string } | null {
  if (valueDepth(value, limits.maxDepth) > limits.maxDepth) {
    return {
      limit: 'maxDepth',
      max: limits.maxDepth,
      message: `nested deeper than ${limits.maxDepth} levels (the nesting limit)`,
    };
  }
  if (valueSize(value, limits.maxPayloadBytes) > limits.maxPayloadBytes) {
    return {
      limit: 'maxPayloadBytes',
      max: limits.maxPayloadBytes,
      message: `larger than ${limits.maxPayloadBytes} bytes (the payload limit, FLIGHTDECK_MAX_PAYLOAD_BYTES)`,
    };
  }
  return null;
}

/**
 * Largest WebSocket frame read in: twice the payload limit plus room for the envelope, so an
 * argument somewhat over the limit is still answered (VALIDATION, with the call's id) and only a
 * frame far beyond it closes the socket (1009) before it is buffered.
 */
export const wsFrameLimitBytes = (limits: InputLimits): number => 2 * limits.maxPayloadBytes + 64 * 1024;

/** How much one client connection may hold and ask of a door. */
export interface ConnectionLimits {
  /** Open WebSocket connections at once; one more is closed with 1013 (try again later). */
  maxConnections: number;
  /** Calls per second one connection may make on average (the token bucket's refill rate). */
  callsPerSecond: number;
  /** Calls one connection may make at once after a quiet spell (the bucket's size). */
  callBurst: number;
  /** HTTP requests per minute from one address (pages, assets, WebSocket handshakes). */
  httpRequestsPerMinute: number;
  /** Between two pings, ms; a connection that did not answer the last one is dropped, freeing its slot. */
  heartbeatMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 64,
  callsPerSecond: 200,
  callBurst: 400,
  httpRequestsPerMinute: 1_200,
  heartbeatMs: 30_000,
};

/**
 * A token bucket: `take()` spends one token if there is one; tokens come back at `perSecond`
 * up to `burst`. `retryAfterMs()` says when the next token is due.
 */
export function createTokenBucket(perSecond: number, burst: number, now: () => number = () => performance.now()) {
  let tokens = burst;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
    last = t;
  };
  return {
    take(): boolean {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    retryAfterMs(): number {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / perSecond) * 1000);
    },
  };
}
