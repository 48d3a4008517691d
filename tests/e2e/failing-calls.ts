import type { BrowserContext, Page } from 'playwright-core';
import type { AppErrorData } from '../../src/shared/result';

/** Which calls the core "refuses" for a page, and with what; change it while the page runs. */
export type FailingCalls = Map<string, AppErrorData>;

/**
 * Puts a stand-in between the page and the host's WebSocket: every frame passes through, except
 * calls on a channel in the returned map, which get that error as their answer (the host never
 * sees them). How a test makes a load or an action fail without breaking the core. Call it before
 * the page opens the console.
 */
export async function failCalls(target: Page | BrowserContext): Promise<FailingCalls> {
  const failing: FailingCalls = new Map();
  await target.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const frame = typeof message === 'string' ? (JSON.parse(message) as { id?: number; channel?: string }) : {};
      const error = frame.channel ? failing.get(frame.channel) : undefined;
      if (error && typeof frame.id === 'number')
        ws.send(JSON.stringify({ type: 'result', id: frame.id, result: { ok: false, error } }));
      else server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  return failing;
}
