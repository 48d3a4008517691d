import type { z } from 'zod';
import { calls, isCallChannel } from '../../shared/contract';
import { AppError, fail, ok, type Result } from '../../shared/result';
import { localOperator, type ActorScope } from './auth/actor';
import { PERMISSIONS, permissionProblem } from './auth/permissions';
import type { CallContext, Handlers } from './handlers';
import { DEFAULT_LIMITS, limitProblem, type InputLimits } from './limits';
import type { Logger } from './logger';

/** `settings:update: patch.retentionDays: Too small…; …` — names the field the operator got wrong. */
export function describeIssues(channel: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid argument for ${channel}: ${parts.join('; ')}`;
}

/**
 * Validates the channel and its argument, runs the handler and always answers with a Result:
 * nothing a caller sends can throw through a transport or crash the process. The caller's role
 * is checked against the permission table right after the channel, before anything of the
 * argument is read (FORBIDDEN names the role needed). Size and depth are checked next, without
 * recursion, so the schema and the handler only ever walk an argument that fits the limits (a
 * 5,000-level document would otherwise overflow the stack). The handler runs inside `scope`, so
 * everything it records (audit entries, decisions, comments) names the caller.
 */
export async function invokeHandler(
  handlers: Handlers,
  channel: unknown,
  input: unknown,
  ctx: CallContext,
  logger: Logger,
  limits: InputLimits = DEFAULT_LIMITS,
  scope?: ActorScope,
): Promise<Result<unknown>> {
  if (!isCallChannel(channel)) {
    const name = typeof channel === 'string' ? channel.slice(0, 80) : `(a ${typeof channel}, not a name)`;
    return fail('UNKNOWN_CHANNEL', `Unknown channel: ${name}`);
  }
  const user = ctx.user ?? localOperator();
  const forbidden = permissionProblem(channel, user.role);
  if (forbidden) return fail('FORBIDDEN', forbidden, false, { needs: PERMISSIONS[channel], role: user.role });
  const tooBig = limitProblem(input, limits);
  if (tooBig) {
    return fail('VALIDATION', `Invalid argument for ${channel}: it is ${tooBig.message}.`, false, [
      { path: [], message: tooBig.message, limit: tooBig.limit, max: tooBig.max },
    ]);
  }
  const parsed = calls[channel].input.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    return fail('VALIDATION', describeIssues(channel, parsed.error), false, details);
  }
  // The table is total over channels; TypeScript cannot correlate the union, so widen once here.
  const handler = handlers[channel] as (args: unknown, ctx: CallContext) => unknown;
  const context: CallContext = { ...ctx, user };
  try {
    const data = scope
      ? await scope.run(user, () => handler(parsed.data, context))
      : await handler(parsed.data, context);
    return ok(data);
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.toData() };
    logger.error('Unexpected error in a handler', { channel, error });
    return fail('INTERNAL', `Something went wrong in ${channel}: ${(error as Error).message}. Details are in the log.`);
  }
}

/** The log message of an output mismatch; test hosts' output is searched for it. */
export const OUTPUT_MISMATCH = 'A reply does not match its declared output schema';

/**
 * Keys present in `actual` that the schema's parse dropped (zod strips unknown keys): fields a
 * handler sends that the contract does not declare, such as a secret column read by `SELECT *`.
 */
function undeclaredKeys(actual: unknown, parsed: unknown, path: string[] = []): string[] {
  if (Array.isArray(actual) && Array.isArray(parsed)) {
    return actual.flatMap((item, i) => undeclaredKeys(item, parsed[i], [...path, String(i)]));
  }
  if (!isPlainObject(actual) || !isPlainObject(parsed)) return [];
  return Object.keys(actual).flatMap((key) =>
    key in parsed ? undeclaredKeys(actual[key], parsed[key], [...path, key]) : [[...path, key].join('.')],
  );
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses a successful reply against its channel's declared output (`CoreOptions.checkOutputs`,
 * on in tests). The contract's output types are otherwise trusted at run time, so a handler that
 * drifts from them would reach the renderer unnoticed: here a mismatch, or a key the schema does
 * not declare, becomes an INTERNAL failure naming the fields, and is logged.
 */
export function checkReply(channel: unknown, reply: Result<unknown>, logger: Logger): Result<unknown> {
  if (!reply.ok || !isCallChannel(channel)) return reply;
  const parsed = calls[channel].output.safeParse(reply.data);
  const problems = parsed.success
    ? undeclaredKeys(reply.data, parsed.data).map((path) => `${path}: not declared in the output schema`)
    : parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(reply)'}: ${i.message}`);
  if (problems.length === 0) return reply;
  logger.error(OUTPUT_MISMATCH, { channel, problems: problems.slice(0, 20) });
  return fail(
    'INTERNAL',
    `${OUTPUT_MISMATCH}: ${channel}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
    false,
    { outputMismatch: problems },
  );
}
