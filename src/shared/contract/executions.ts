import { z } from 'zod';

export const executionsCalls = {};

export const executionsEvents = {
  /** Executions were created or changed state (after commit): windows refresh those rows. */
  'executions:changed': z.object({ ids: z.array(z.number().int()) }),
};
