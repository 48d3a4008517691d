import type { z } from 'zod';

/** One request → response call: the runtime schemas are the single source of its types. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** Validated at the transport boundary before any handler runs. */
  input: I;
  /** What the handler promises to return: trusted at run time, checked on every call a test makes through a core (checkReply in src/main/core/invoke.ts). */
  output: O;
}

export const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O): CallSpec<I, O> => ({
  input,
  output,
});
