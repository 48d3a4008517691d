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
  /** Reads the operator name for the audit log ("who"). */
  operator(): string;
}
