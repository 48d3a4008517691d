/** Small helpers shared by the live tests. */
import type { Core } from '../../src/main/core/create-core';

/** The data of a Result, or a thrown error carrying the Result's error. */
export async function data<T>(p: Promise<{ ok: boolean; data?: T; error?: unknown }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as T;
}

/** What the last poll of `until` saw, for a useful failure message. */
let lastSeen: unknown;
export const sawLast = (value: unknown) => void (lastSeen = value);

/** Polls `fn` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  lastSeen = undefined;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(lastSeen)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Adds a live n8n to `core` as an instance (no background sync; `sync` runs one pass now, which
 * reads the instance's version for the pre-flight and the verbs) and returns its id.
 */
export async function addInstance(
  core: Core,
  n8n: { baseUrl: string; apiKey: string },
  name: string,
  options: { environment?: string; sync?: boolean } = {},
): Promise<string> {
  const { id } = await data(
    core.call('instances:add', {
      name,
      baseUrl: n8n.baseUrl,
      apiKey: n8n.apiKey,
      environment: options.environment ?? 'test',
      color: '#2f6fed',
      syncEnabled: false,
    }),
  );
  if (options.sync) await data(core.call('instances:syncNow', { id }));
  return id;
}
