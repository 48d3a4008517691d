/**
 * Waiting on a condition instead of sleeping: tests on a busy 2-core machine must not depend on
 * how long something takes, only on what it ends up doing.
 */

/** The default patience of a wait: long enough for a loaded machine, short enough to fail a hung test. */
export const WAIT_TIMEOUT_MS = 10_000;

/**
 * Polls `check` until it returns something other than undefined (or false), and returns that.
 * Fails after `timeoutMs` naming `what` and the last value seen.
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 10));
  }
}
