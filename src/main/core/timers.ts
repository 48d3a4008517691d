/**
 * Timers as the core's background loops see them: injected (like the Clock) so tests can run
 * a sync loop's schedule and backoff without waiting.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending sync must not keep a headless process or a test runner alive.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Timers that fire only when a test says so; pair with ManualClock. */
export class ManualTimers implements Timers {
  private nextId = 1;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  constructor(private readonly now: () => number) {}

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now() + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Delays (ms from now) of the pending timers, soonest first. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.now()).sort((a, b) => a - b);
  }

  /** Fires every timer due at or before the clock's current time. */
  fireDue(): number {
    const due = [...this.pending.entries()].filter(([, t]) => t.at <= this.now());
    for (const [id, t] of due) {
      this.pending.delete(id);
      t.fn();
    }
    return due.length;
  }
}
