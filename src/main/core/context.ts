import type { Role } from '../../shared/contract/auth';
import type { Clock } from './clock';
import type { Store } from './db/store';
import type { Logger } from './logger';

/** What every feature module of the core is built from. */
export interface CoreContext {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Where the store and key files live. */
  dataDir: string;
  /** Who acts, for the audit log, decisions and comments: the signed-in user, else the operator name. */
  operator(): string;
  /** Who asks for a run made now: the caller of the running call; null outside calls (machine traffic). */
  requester?(): string | null;
  /** True when the data folder is in team mode (accounts; four-eyes approvals apply). */
  teamMode?(): boolean;
  /** The role of the caller of the running call (the local operator: admin); null outside calls. */
  callerRole?(): Role | null;
}
