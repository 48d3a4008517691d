import type { AppStatus, CallArgs, CallChannel, CallOutput } from '../../shared/contract';
import type { SettingsService } from './settings/settings-service';

/** Who is calling, as the transport knows it. */
export interface CallContext {
  transport: 'ipc' | 'ws' | 'direct';
}

export type Handler<C extends CallChannel> = (
  args: CallArgs<C>,
  ctx: CallContext,
) => CallOutput<C> | Promise<CallOutput<C>>;

/** One entry per channel; the type makes a missing handler a compile error. */
export type Handlers = { [C in CallChannel]: Handler<C> };

export interface Services {
  status: () => AppStatus;
  settings: SettingsService;
}

/** The one table both transports (Electron IPC and WebSocket) dispatch through. */
export function createHandlers(s: Services): Handlers {
  return {
    'app:status': () => s.status(),
    'settings:get': () => s.settings.get(),
    'settings:update': ({ patch }) => s.settings.update(patch),
  };
}
