/**
 * Ports between feature modules: how one area asks another for work without importing its
 * internals. create-core.ts wires the implementations.
 */

/** Where an event entered Flightdeck; recorded with every job and in the audit log. */
export type EventSource = 'ui' | 'cli' | 'http' | 'schedule' | 'approval' | 'retry';

export interface EmitRequest {
  /** The operator's own event name, e.g. `order.created`; mappings route it to workflows. */
  event: string;
  payload: unknown;
  /** Same key within the dedup window → the same jobs, never new ones. */
  idempotencyKey?: string;
  source: EventSource;
  /** Operator name, `schedule:<id>`, `rule:<id>`… for the audit log. */
  actor: string;
}

export interface EmitResult {
  /** Local execution ids created (one per matching mapping), or those of the earlier emit. */
  executionIds: number[];
  /** True when the idempotency key had been seen: nothing new was queued. */
  deduplicated: boolean;
}

/**
 * Turns an event into durably queued runs. Synchronous: when it returns, the runs are committed
 * (or, called inside an enclosing `store.write`, commit with it — so a caller can record its own
 * bookkeeping, such as a schedule tick, atomically with the runs it caused).
 */
export type Emit = (request: EmitRequest) => EmitResult;
