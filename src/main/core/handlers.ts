import type { CallArgs, CallChannel, CallOutput, EventChannel } from '../../shared/contract';
import type { CallUser } from './auth/actor';

/** Who is calling, as the transport knows it. */
export interface CallContext {
  transport: 'ipc' | 'ws' | 'direct';
  /**
   * The signed-in user (team mode: set by the WebSocket transport from the session cookie or API
   * token). Absent: the single local operator, who may do everything (desktop app, a host without
   * team mode, in-process callers).
   */
  user?: CallUser;
}

export type Handler<C extends CallChannel> = (
  args: CallArgs<C>,
  ctx: CallContext,
) => CallOutput<C> | Promise<CallOutput<C>>;

/** One entry per channel; the type makes a missing handler a compile error. */
export type Handlers = { [C in CallChannel]: Handler<C> };

/** The handlers of the channels whose names start with `area:`. */
export type AreaHandlers<Area extends string> = { [C in Extract<CallChannel, `${Area}:${string}`>]: Handler<C> };

/**
 * A feature of the core: the handlers of its area, plus optional background work (sync,
 * dispatch, schedules) that starts after the whole core is built and stops before the store closes.
 */
export interface FeatureModule<Area extends string> extends Lifecycle {
  handlers: AreaHandlers<Area>;
}

export interface Lifecycle {
  start?(): void;
  stop?(): Promise<void> | void;
  /**
   * A restore has committed: every backed-up table may hold other rows now. Drop what the
   * module keeps from the old rows (clients, parsed rows, planned timers), plan afresh, and
   * announce the area's change events. Called on every module after each restore, in start
   * order; a hook that throws is logged and does not stop the others.
   */
  restored?(): Promise<void> | void;
  /**
   * Told of every core event once it is published (after its commit), for modules that follow
   * another area's changes (the executions list pushes the rows behind executions:changed).
   */
  follow?(event: EventChannel, payload: unknown): void;
}
