import WebSocket from 'ws';
import type { CallChannel, CallInput, CallOutput } from '../../shared/contract';
import { AppError, type Result } from '../../shared/result';
import { WS_PATH, WS_PROTOCOL } from '../../shared/wire';

/**
 * Contract calls to a running console over its WebSocket, as a person's personal API token
 * (Bearer): the console applies the same permission table as to its own pages, and records the
 * token's owner as the actor.
 */
export interface RemoteConsole {
  call<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>>;
  close(): void;
}

export interface ConnectOptions {
  /** How long one call may wait for its answer, ms (a console that stops answering). */
  callTimeoutMs?: number;
}

export async function connectConsole(
  url: string,
  token: string,
  timeoutMs = 10_000,
  options: ConnectOptions = {},
): Promise<RemoteConsole> {
  const callTimeoutMs = options.callTimeoutMs ?? 60_000;
  const address = new URL(WS_PATH, url.replace(/^http/, 'ws'));
  const ws = new WebSocket(address, [WS_PROTOCOL], { headers: { Authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Stop trying too: a connection left half-open would keep the CLI from exiting.
      ws.terminate();
      reject(new Error(`The console at ${url} did not answer in time.`));
    }, timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(
        new Error(
          response.statusCode === 401
            ? 'The console refused the token: it is wrong, revoked or expired (team mode needs a personal API token).'
            : `The console refused the connection (HTTP ${response.statusCode}).`,
        ),
      );
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Cannot reach the console at ${url}: ${error.message}`));
    });
  });
  // ws emits 'error' and then 'close' (which settles every call); without a listener an error
  // after the handshake would end the process.
  ws.on('error', () => undefined);
  const waiting = new Map<number, (result: Result<unknown>) => void>();
  ws.on('message', (data) => {
    let frame: { type?: string; id?: number; result?: Result<unknown> };
    try {
      frame = JSON.parse(String(data)) as typeof frame;
    } catch {
      return;
    }
    if (frame.type === 'result' && typeof frame.id === 'number' && frame.result) waiting.get(frame.id)?.(frame.result);
  });
  ws.on('close', () => {
    for (const settle of waiting.values()) {
      settle({
        ok: false,
        error: { code: 'UNAVAILABLE', message: 'The console closed the connection.', retryable: true },
      });
    }
  });
  let nextId = 1;
  return {
    async call(channel, input) {
      // ws drops a message sent on a closed socket without a word: the call would wait forever.
      if (ws.readyState !== WebSocket.OPEN) {
        throw new AppError('UNAVAILABLE', `The connection to the console at ${url} is closed; nothing was sent.`, {
          retryable: true,
        });
      }
      const id = nextId++;
      let timer: NodeJS.Timeout | undefined;
      let result: Result<unknown>;
      try {
        result = await new Promise<Result<unknown>>((resolve, reject) => {
          waiting.set(id, resolve);
          timer = setTimeout(
            () =>
              reject(
                new AppError(
                  'UNAVAILABLE',
                  `The console at ${url} did not answer ${channel} within ${callTimeoutMs >= 1000 ? `${Math.round(callTimeoutMs / 1000)} s` : `${callTimeoutMs} ms`}; ` +
                    'it may or may not have done it: check before trying again.',
                  { retryable: true },
                ),
              ),
            callTimeoutMs,
          );
          ws.send(JSON.stringify({ type: 'call', id, channel, input }), (error) => {
            if (error) {
              reject(
                new AppError('UNAVAILABLE', `Could not send ${channel} to the console at ${url}: ${error.message}.`, {
                  retryable: true,
                }),
              );
            }
          });
        });
      } finally {
        clearTimeout(timer);
        waiting.delete(id);
      }
      if (!result.ok) throw new AppError(result.error.code, result.error.message);
      return result.data as never;
    },
    close: () => ws.close(),
  };
}
