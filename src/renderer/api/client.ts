import type { CallChannel, CallInput, CallOutput, FlightdeckApi } from '../../shared/contract';
import { AppError, type Result } from '../../shared/result';
import { toastContextOf, useErrors } from '../stores/errors-store';
import { createWsApi, takeToken } from './ws-api';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser, where the WebSocket bridge is used. */
    api?: FlightdeckApi;
  }
}

/** Team mode: the session is over; the host's sign-in page takes over. */
const signIn = () => location.assign('/login');

/** The handshake keeps failing: sign in again if the session is over, else keep retrying (host down). */
const checkSession = () =>
  void fetch('/auth/session', { cache: 'no-store' })
    .then((answer) => {
      if (answer.status === 401) signIn();
    })
    // The host itself is down: nothing to add, the bridge keeps retrying and the connection badge says so.
    .catch(() => undefined);

/** The renderer picks its transport by itself: Electron's bridge if present, else WebSocket. */
export const api: FlightdeckApi =
  window.api ??
  createWsApi(takeToken(), {
    onProblem: (error) => useErrors.getState().report(error),
    onSignedOut: signIn,
    onHandshakeRefused: checkSession,
  });

/** Returns the error as data: for callers that handle failure themselves. */
export function sendCatch<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<Result<CallOutput<C>>> {
  return api.call(channel, input);
}

/**
 * Throws a typed AppError, and reports it in the global error tray: for callers that just
 * want the data and let the tray tell the operator what went wrong.
 */
export async function send<C extends CallChannel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> {
  const result = await api.call(channel, input);
  if (result.ok) return result.data;
  useErrors.getState().report(result.error, toastContextOf(channel, input));
  throw new AppError(result.error.code, result.error.message, {
    retryable: result.error.retryable,
    details: result.error.details,
  });
}
