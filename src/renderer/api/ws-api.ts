import type { CallChannel, ConnectionState, EventChannel, FlightdeckApi } from '../../shared/contract';
import { fail, type Result } from '../../shared/result';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, type ServerFrame } from '../../shared/wire';

const TOKEN_KEY = 'flightdeck.token';

/**
 * The host prints a URL ending in `#token=…`. Keep the token for this tab (a reload still
 * works) and take it out of the address bar so it is not copied along with the link.
 */
export function takeToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return fromHash ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/**
 * The contract over WebSocket, for the console in a browser. Reconnects with backoff; calls
 * made while disconnected wait for the connection instead of failing at once.
 */
export function createWsApi(
  token: string,
  url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`,
): FlightdeckApi {
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const outbox: string[] = [];
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | undefined;
  let nextId = 1;
  let retryMs = 250;

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const connect = () => {
    setState('connecting');
    const ws = new WebSocket(url, [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setState('connected');
      for (const frame of outbox.splice(0)) ws.send(frame);
    };
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as ServerFrame;
      if (frame.type === 'event') {
        for (const listener of eventListeners.get(frame.event) ?? []) listener(frame.payload);
      } else if (frame.id !== null) {
        pending.get(frame.id)?.(frame.result as Result<unknown>);
        pending.delete(frame.id);
      }
    };
    ws.onclose = () => {
      setState('disconnected');
      // Calls sent on a dead socket get no answer: fail them so the UI does not hang.
      for (const [id, resolve] of pending) {
        resolve(fail('UNAVAILABLE', 'Lost the connection to Flightdeck before it answered; try again.', true));
        pending.delete(id);
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    call<C extends CallChannel>(channel: C, input: unknown) {
      const id = nextId++;
      const frame = JSON.stringify({ type: 'call', id, channel, input });
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: Result<unknown>) => void);
        if (state === 'connected' && socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else outbox.push(frame);
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: never) => void) {
      const set = eventListeners.get(event) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      eventListeners.set(event, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(state);
      return () => connectionListeners.delete(listener);
    },
  } as FlightdeckApi;
}
