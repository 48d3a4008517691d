import type { Timers } from '../timers';

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
