/**
 * Sign-in throttling. Per account: after ACCOUNT_FAILURES wrong passwords in a row the account
 * is locked for LOCK_MS (kept in the users table, so a restart does not reset it; an admin's
 * password reset unlocks it). Names without an account are counted the same way here in memory,
 * so the answers do not tell which names exist. Per client address: ADDRESS_FAILURES failures
 * within LOCK_MS block that address for LOCK_MS, whatever names it tries.
 */
export const ACCOUNT_FAILURES = 5;
export const ADDRESS_FAILURES = 20;
export const LOCK_MS = 15 * 60_000;
/** Entries kept in memory; the oldest go first (a spray of names or addresses cannot grow it). */
const MAX_TRACKED = 10_000;

interface Counter {
  failures: number;
  /** Start of the counting window (addresses) or of the lock. */
  sinceMs: number;
  lockedUntilMs: number | null;
}

function boundedMap() {
  const map = new Map<string, Counter>();
  return {
    get: (key: string) => map.get(key),
    set(key: string, value: Counter) {
      map.delete(key);
      map.set(key, value);
      if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as string);
    },
    delete: (key: string) => map.delete(key),
  };
}

export function createLoginGuard(now: () => number) {
  const addresses = boundedMap();
  const unknownNames = boundedMap();

  const lockedFor = (counter: Counter | undefined): number => {
    if (!counter?.lockedUntilMs) return 0;
    return Math.max(0, counter.lockedUntilMs - now());
  };

  return {
    /** Milliseconds this address must wait; 0 when it may try. */
    addressWait: (address: string) => lockedFor(addresses.get(address)),
    /** Milliseconds a name without an account stays "locked". */
    unknownNameWait: (name: string) => lockedFor(unknownNames.get(name.toLowerCase())),
    /** Counts a failure from an address; true when this one blocked it. */
    addressFailed(address: string): boolean {
      const t = now();
      const previous = addresses.get(address);
      // A new window after a lock has run out, or when the last window is over.
      const counter: Counter =
        !previous || previous.lockedUntilMs !== null || t - previous.sinceMs > LOCK_MS
          ? { failures: 1, sinceMs: t, lockedUntilMs: null }
          : { ...previous, failures: previous.failures + 1 };
      const blocks = counter.failures >= ADDRESS_FAILURES;
      if (blocks) counter.lockedUntilMs = t + LOCK_MS;
      addresses.set(address, counter);
      return blocks;
    },
    /** Counts a failure for a name that has no account; true when it "locked" it. */
    unknownNameFailed(name: string): boolean {
      const key = name.toLowerCase();
      const t = now();
      const previous = unknownNames.get(key);
      const failures = previous && !previous.lockedUntilMs ? previous.failures + 1 : 1;
      const locks = failures >= ACCOUNT_FAILURES;
      unknownNames.set(key, { failures: locks ? 0 : failures, sinceMs: t, lockedUntilMs: locks ? t + LOCK_MS : null });
      return locks;
    },
  };
}

export type LoginGuard = ReturnType<typeof createLoginGuard>;
