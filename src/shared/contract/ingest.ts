import { z } from 'zod';
import { call } from './define';
import { eventNameSchema } from './mappings';

export const ingestInfoSchema = z.object({
  /** Where signed events are accepted (`http://127.0.0.1:4681/events/<event>`), null when not listening. */
  url: z.string().nullable(),
  /** The file holding the HMAC secret (readable by its owner only); the secret itself never leaves the core. */
  secretFile: z.string(),
  /** Why the endpoint is not listening (port in use…), else null. */
  problem: z.string().nullable(),
});

export const ingestCalls = {
  'ingest:info': call(z.object({}).strict(), ingestInfoSchema),
  /** Fire an event from the console itself (the UI door), e.g. a mapping's test fire. */
  'ingest:emit': call(
    z
      .object({
        event: eventNameSchema,
        payload: z.unknown(),
        idempotencyKey: z.string().min(1).max(200).optional(),
      })
      .strict(),
    z.object({ executionIds: z.array(z.number().int()), deduplicated: z.boolean() }),
  ),
};

export const ingestEvents = {};
