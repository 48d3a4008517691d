import { userInfo } from 'node:os';
import type { Role, User } from '../../shared/contract/auth';
import { createAuditLog } from '../core/audit/audit-log';
import { createAuthService, type AuthService } from '../core/auth/auth-service';
import { systemClock } from '../core/clock';
import { claimDataDir, DataDirBusyError, readOwner, type DataDirClaim } from '../core/data-dir';
import { makeDataDirPrivate } from '../core/data-dir-modes';
import { migrations } from '../core/db/migrations';
import { openStore, type Store } from '../core/db/store';
import { EventBus } from '../core/events';
import { silentLogger } from '../core/logger';
import { connectConsole } from './remote-console';

/** What `flightdeck users` does, whether on the folder itself or through the running console. */
export interface AdminDoor {
  /** Said once before the work: where the change is made. */
  readonly where: string;
  listUsers(): Promise<User[]>;
  addUser(input: { username: string; displayName: string; role: Role; password: string }): Promise<User>;
  updateUser(input: { id: number; role?: Role; disabled?: boolean }): Promise<User>;
  resetPassword(id: number, password: string): Promise<User>;
  close(): void;
}

/** A refusal the person can act on; the CLI prints it and exits 1. */
export class DoorRefused extends Error {}

/** The OS account running the command, as the audit log names it: `cli:ana`. */
export function cliActor(): string {
  let name = 'unknown';
  try {
    name = userInfo().username || name;
  } catch {
    // userInfo() throws where the uid has no passwd entry (some containers).
  }
  return `cli:${name}`;
}

/**
 * The data folder itself, taken with its lock so no console runs on it meanwhile. Only the store
 * and the audit log are opened: no sync, no dispatch, no ingest door.
 */
export function openFolder(dataDir: string): { store: Store; auth: AuthService; close(): void } {
  const claim: DataDirClaim = claimDataDir({ dataDir, kind: 'headless' });
  try {
    const report = makeDataDirPrivate(dataDir);
    if (report.refused.length > 0 || report.shared) {
      throw new DoorRefused(`The data folder ${dataDir} is not private to you; start the console once to see why.`);
    }
    const store = openStore({ dataDir, bus: new EventBus(), migrations, now: () => systemClock.now() });
    const audit = createAuditLog(store, () => systemClock.now());
    const auth = createAuthService({ store, clock: systemClock, logger: silentLogger, audit });
    return {
      store,
      auth,
      close() {
        store.close();
        claim.release();
      },
    };
  } catch (error) {
    claim.release();
    throw error;
  }
}

/**
 * Where user changes go. No console on the folder: the folder itself, under its lock (the OS
 * account that owns the folder administers it; the audit log names it `cli:<name>`). A console
 * running: through it, as the holder of `token` (an admin's personal API token), so the same
 * permission table applies and the console ends the sessions it holds at once. Writing beside a
 * running console would leave its open sessions running.
 */
export async function openAdminDoor(dataDir: string, token: string | undefined): Promise<AdminDoor> {
  let folder: ReturnType<typeof openFolder>;
  try {
    folder = openFolder(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirBusyError)) throw error;
    const owner = readOwner(dataDir);
    if (!owner?.url) {
      throw new DoorRefused(
        `${error.message.replace(' Open that, or pass --data-dir.', '')} Stop it, or try again once it has started.`,
      );
    }
    if (!token) {
      throw new DoorRefused(
        `A console is running on this data folder (pid ${owner.pid}, ${owner.url}). Manage users through it with ` +
          'an admin’s personal API token (--token or FLIGHTDECK_API_TOKEN; create one under Team in the console), or stop it first.',
      );
    }
    const remote = await connectConsole(owner.url, token);
    return {
      where: `through the console at ${owner.url}`,
      listUsers: async () => (await remote.call('auth:listUsers', {})).users,
      addUser: (input) => remote.call('auth:addUser', input),
      updateUser: (input) => remote.call('auth:updateUser', input),
      resetPassword: (id, password) => remote.call('auth:resetPassword', { id, password }),
      close: () => remote.close(),
    };
  }
  const { auth } = folder;
  const actor = cliActor();
  return {
    where: `on the data folder ${dataDir}`,
    listUsers: () => Promise.resolve(auth.listUsers()),
    addUser: (input) => auth.addUser(input, actor),
    updateUser: (input) => Promise.resolve(auth.updateUser(input, actor)),
    resetPassword: (id, password) => auth.resetPassword(id, password, actor),
    close: () => folder.close(),
  };
}
