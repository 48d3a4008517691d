import { waitingFromN8n } from './n8n-waits';

/**
 * n8n's waiting executions as the inbox takes them (n8n-waits.ts). Because n8n 1.x leaves waiting
 * executions out of its list endpoint, the linker finds them by id (GET /executions/<id>) and
 * records what they wait on; only then do they show up here.
 */
export const waitingFromExecutionsTable = waitingFromN8n;
