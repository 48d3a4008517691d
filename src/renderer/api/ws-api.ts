import type { CallChannel, ConnectionState, EventChannel, FlightdeckApi } from '../../shared/contract';
import { fail, type AppErrorData, type Result } from '../../shared/result';
import { WS_CLOSE, WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, type ServerFrame } from '../../shared/wire';

const TOKEN_KEY = 'flightdeck.token';

/**
 * The host prints a URL ending in `#token=…`; a link to an item carries it after the route
 * (`#/executions/FD-29?token=…`). Keep the token for this tab (a reload still works) and take it
 * out of the address bar, leaving the route, so it is not copied along with the link.
 */
export function takeToken(): string {
  const hash = location.hash.slice(1);
  const query = hash.indexOf('?');
  const route = hash.startsWith('/') ? (query === -1 ? hash : hash.slice(0, query)) : '';
  const params = hash.startsWith('/') ? (query === -1 ? '' : hash.slice(query + 1)) : hash;
  const fromHash = new URLSearchParams(params).get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search + (route ? `#${route}` : ''));
  }
  return fromHash ?? sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** The part of a WebSocket this bridge uses (tests pass a stand-in). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  listen(handlers: { open(): void; message(data: unknown): void; close(code: number): void }): void;
}

function browserSocket(url: string, protocols: string[]): SocketLike {
  const ws = new WebSocket(url, protocols);
  return {
    get readyState() {
      return ws.readyState;
    },
    send: (data) => ws.send(data),
    listen(handlers) {
      ws.onopen = () => handlers.open();
      ws.onmessage = (message) => handlers.message(message.data);
      ws.onclose = (event) => handlers.close(event.code);
    },
  };
}

export interface WsApiOptions {
  /** Default: this page's host, ws or wss after the page's scheme. */
  url?: string;
  /** Connection problems the operator should see (the error tray); each reported once until connected. */
  onProblem?: (error: AppErrorData) => void;
  /** Default: the browser's WebSocket. */
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  /** Team mode: the host ended this connection's session (4401); the page goes to sign-in. */
  onSignedOut?: () => void;
  /** Handshakes keep failing without a token (team mode's cookie): the session may be over. */
  onHandshakeRefused?: () => void;
}

const OPEN = 1;
/** A RATE_LIMITED call is sent again this many times (it was refused before running, so this is safe). */
const RATE_LIMIT_RETRIES = 5;
/** Handshakes that fail in a row before the operator is told (a wrong token looks just like this). */
const FAILED_HANDSHAKES_BEFORE_TELLING = 3;

interface PendingCall {
  frame: string;
  resolve: (result: Result<unknown>) => void;
  rateLimitRetries: number;
  /** Sent on the current socket (an answer is owed), or waiting in the outbox. */
  sent: boolean;
}

/** What the calls in flight are told when the host closes the socket for a reason of its own. */
function closeProblem(code: number): AppErrorData | null {
  switch (code) {
    case WS_CLOSE.tooBig:
      return {
        code: 'VALIDATION',
        message:
          'The console closed the connection: a call was larger than it accepts (FLIGHTDECK_MAX_PAYLOAD_BYTES). ' +
          'Calls in flight were not answered; try them again with less data.',
        retryable: false,
      };
    case WS_CLOSE.invalidData:
      return {
        code: 'VALIDATION',
        message: 'The console closed the connection: a call was not valid text. Calls in flight were not answered.',
        retryable: false,
      };
    case WS_CLOSE.policy:
      return {
        code: 'UNAVAILABLE',
        message: 'The console closed the connection: this window did not keep up with its messages. Reconnecting…',
        retryable: true,
      };
    default:
      return null;
  }
}

/**
 * The contract over WebSocket, for the console in a browser. Reconnects with backoff; calls
 * made while disconnected wait for the connection instead of failing at once. Calls the host
 * refused as RATE_LIMITED are sent again after the wait it names; a connection refused for being
 * one too many (1013) is tried again later with its calls kept.
 */
export function createWsApi(token: string, options: WsApiOptions = {}): FlightdeckApi {
  const url = options.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}`;
  const createSocket = options.createSocket ?? browserSocket;
  const pending = new Map<number, PendingCall>();
  const eventListeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | undefined;
  let nextId = 1;
  let retryMs = 250;
  let failedHandshakes = 0;
  const told = new Set<string>();

  const setState = (next: ConnectionState) => {
    state = next;
    for (const listener of connectionListeners) listener(next);
  };

  const tell = (problem: AppErrorData) => {
    if (told.has(problem.message)) return;
    told.add(problem.message);
    options.onProblem?.(problem);
  };

  const transmit = (call: PendingCall) => {
    if (state === 'connected' && socket?.readyState === OPEN) {
      socket.send(call.frame);
      call.sent = true;
    } else call.sent = false;
  };

  const settle = (id: number, result: Result<unknown>) => {
    const call = pending.get(id);
    if (!call) return;
    if (!result.ok && result.error.code === 'RATE_LIMITED' && call.rateLimitRetries < RATE_LIMIT_RETRIES) {
      call.rateLimitRetries++;
      const details = result.error.details as { retryAfterMs?: unknown } | undefined;
      const wait = typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : 1000;
      call.sent = false;
      setTimeout(() => transmit(call), Math.min(Math.max(wait, 50), 10_000));
      return;
    }
    pending.delete(id);
    call.resolve(result);
  };

  const onMessage = (data: unknown) => {
    // The connection works: problems seen before it may be told again if they come back.
    told.clear();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return; // Not ours to answer: the host only sends JSON; a broken frame has no call to settle.
    }
    if (frame.type === 'event') {
      for (const listener of eventListeners.get(frame.event) ?? []) listener(frame.payload);
    } else if (frame.type === 'result' && frame.id !== null) {
      settle(frame.id, frame.result as Result<unknown>);
    }
  };

  const onClose = (code: number, wasOpen: boolean) => {
    setState('disconnected');
    if (code === WS_CLOSE.signedOut) {
      // Logged out (here or everywhere), revoked, expired or disabled: no retry can help.
      const answer = fail('UNAUTHORIZED', 'Your session has ended; sign in again.');
      for (const [id, call] of pending) {
        pending.delete(id);
        call.resolve(answer);
      }
      options.onSignedOut?.();
      return;
    }
    let delay = retryMs;
    if (code === WS_CLOSE.tryAgainLater) {
      // The host refused this connection before reading anything: keep the calls for the next one.
      for (const call of pending.values()) call.sent = false;
      tell({
        code: 'UNAVAILABLE',
        message: 'The console has too many open connections; close other tabs of it. Retrying…',
        retryable: true,
      });
      delay = Math.max(retryMs, 5000);
    } else {
      // Calls sent on a dead socket get no answer: fail them so the UI does not hang.
      const problem = closeProblem(code);
      if (problem) tell(problem);
      const answer = problem
        ? ({ ok: false, error: problem } as const)
        : fail('UNAVAILABLE', 'Lost the connection to Flightdeck before it answered; try again.', true);
      for (const [id, call] of pending) {
        if (!call.sent) continue;
        pending.delete(id);
        call.resolve(answer);
      }
      if (!wasOpen && !token && failedHandshakes + 1 >= FAILED_HANDSHAKES_BEFORE_TELLING)
        options.onHandshakeRefused?.();
      if (!wasOpen && ++failedHandshakes >= FAILED_HANDSHAKES_BEFORE_TELLING) {
        tell({
          code: 'UNAVAILABLE',
          message:
            'Cannot connect to the console. If it is running, this link’s token may be outdated: ' +
            'open the URL it printed again. Retrying…',
          retryable: true,
        });
      }
    }
    setTimeout(connect, delay);
    retryMs = Math.min(retryMs * 2, 5000);
  };

  function connect() {
    setState('connecting');
    // Without a token (team mode) the browser's session cookie goes with the handshake.
    const ws = createSocket(url, token ? [WS_PROTOCOL, WS_TOKEN_PREFIX + token] : [WS_PROTOCOL]);
    socket = ws;
    let wasOpen = false;
    ws.listen({
      open() {
        wasOpen = true;
        retryMs = 250;
        failedHandshakes = 0;
        setState('connected');
        for (const call of pending.values()) if (!call.sent) transmit(call);
      },
      message: onMessage,
      close: (code) => onClose(code, wasOpen),
    });
  }
  connect();

  return {
    call<C extends CallChannel>(channel: C, input: unknown) {
      const id = nextId++;
      let frame: string;
      try {
        frame = JSON.stringify({ type: 'call', id, channel, input });
      } catch (error) {
        return Promise.resolve(fail('VALIDATION', `The argument cannot be sent: ${(error as Error).message}`));
      }
      return new Promise((resolve) => {
        const call: PendingCall = {
          frame,
          resolve: resolve as (result: Result<unknown>) => void,
          rateLimitRetries: 0,
          sent: false,
        };
        pending.set(id, call);
        transmit(call);
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
