import type { EventChannel, EventPayload } from '../../shared/contract';

export type AnyEventListener = (event: EventChannel, payload: unknown) => void;

/**
 * Typed publish/subscribe inside the core. Publishing is reserved for the store, which only
 * announces after its transaction has committed (durable before announced).
 */
export class EventBus {
  private readonly listeners = new Set<AnyEventListener>();

  subscribe(listener: AnyEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // A failing listener (a closed socket, say) must not stop the others or the writer.
      }
    }
  }
}
