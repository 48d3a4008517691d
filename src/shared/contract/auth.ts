import { z } from 'zod';
import { call } from './define';

/**
 * Roles, lowest first. Each role may do everything the roles before it may: an approver also
 * operates, an editor also approves, an admin does everything.
 * - viewer: reads every area.
 * - operator: emits, retries, cancels and requeues runs, runs schedules now, pauses queues.
 * - approver: decides approvals (and claims them).
 * - editor: mappings, schedules, rules, drafts, push to n8n, workflow activation.
 * - admin: instances and their keys, backups and restore, users, settings.
 */
export const ROLES = ['viewer', 'operator', 'approver', 'editor', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** True when `role` includes everything `needed` may do. */
export const roleAtLeast = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

/** Letters, digits and . _ - ; 2–64 characters, starting with a letter or digit; compared without case. */
export const usernameSchema = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Use letters, digits and . _ - (starting with a letter or digit)');

/** 12–256 characters. Length is what makes a password strong; nothing else is imposed. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`);

/** An account as others see it (never its password hash). */
export const userSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  /** Locked after repeated failed sign-ins until this time (epoch ms); null: not locked. */
  lockedUntilMs: z.number().int().nullable(),
  createdAtMs: z.number().int(),
  lastLoginAtMs: z.number().int().nullable(),
  /** Open (unexpired, unrevoked) sessions. */
  activeSessions: z.number().int(),
});
export type User = z.infer<typeof userSchema>;

/** Who is calling, and what each channel needs: the renderer hides or disables what the role cannot do. */
export const meSchema = z.object({
  /** `single`: the desktop app or a host without team mode (one operator who may do everything). */
  mode: z.enum(['single', 'team']),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  /** How this connection signed in. */
  via: z.enum(['local', 'session', 'token']),
  /** When the session or token stops working (epoch ms); null for the local operator. */
  expiresAtMs: z.number().int().nullable(),
  /** The role each call channel needs (the core's permission table). */
  needs: z.record(z.string(), roleSchema),
});
export type Me = z.infer<typeof meSchema>;

/** A personal API token as listed (its secret is shown once, at creation, and never again). */
export const apiTokenSchema = z.object({
  id: z.number().int(),
  /** Whose token it is. */
  username: z.string(),
  name: z.string(),
  /** What the token may do: at most its owner's role (and never more than the owner has now). */
  role: roleSchema,
  /** The first characters, to tell tokens apart: `fdp_12_ab3f…`. */
  prefix: z.string(),
  createdAtMs: z.number().int(),
  expiresAtMs: z.number().int(),
  lastUsedAtMs: z.number().int().nullable(),
  revokedAtMs: z.number().int().nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

/** One sign-in of the caller (the cookie's session). */
export const sessionInfoSchema = z.object({
  id: z.number().int(),
  createdAtMs: z.number().int(),
  expiresAtMs: z.number().int(),
  lastSeenAtMs: z.number().int(),
  /** The client address it signed in from. */
  address: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** The session of the connection that asked. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** Token lifetimes offered: 1 to 365 days. */
export const tokenDaysSchema = z.number().int().min(1).max(365);

const userIdArg = z.object({ id: z.number().int().positive() }).strict();

export const authCalls = {
  /** Who am I, with which role, and what does each channel need. */
  'auth:me': call(z.object({}).strict(), meSchema),
  /** My own password; every other session of mine ends. */
  'auth:changePassword': call(
    z.object({ current: z.string().max(PASSWORD_MAX), next: passwordSchema }).strict(),
    z.object({ changed: z.literal(true), sessionsEnded: z.number().int() }),
  ),
  /** My open sessions. */
  'auth:sessions': call(z.object({}).strict(), z.object({ sessions: z.array(sessionInfoSchema) })),
  /** Ends every session of mine, this one included ("log out everywhere"). */
  'auth:logoutEverywhere': call(z.object({}).strict(), z.object({ ended: z.number().int() })),
  /** My tokens; an admin may ask for everyone's (`all`). */
  'auth:listTokens': call(
    z.object({ all: z.boolean().default(false) }).strict(),
    z.object({ tokens: z.array(apiTokenSchema) }),
  ),
  /** A new personal API token: the secret is in this answer only. */
  'auth:createToken': call(
    z.object({ name: z.string().trim().min(1).max(80), role: roleSchema, days: tokenDaysSchema }).strict(),
    z.object({ token: apiTokenSchema, secret: z.string() }),
  ),
  /** Revokes a token of mine (an admin: anyone's). */
  'auth:revokeToken': call(z.object({ id: z.number().int().positive() }).strict(), apiTokenSchema),
  'auth:listUsers': call(z.object({}).strict(), z.object({ users: z.array(userSchema) })),
  'auth:addUser': call(
    z
      .object({
        username: usernameSchema,
        displayName: z.string().trim().max(80).default(''),
        role: roleSchema,
        password: passwordSchema,
      })
      .strict(),
    userSchema,
  ),
  /** Role, display name, disabled. Disabling ends the user's sessions and stops their tokens. */
  'auth:updateUser': call(
    z
      .object({
        id: z.number().int().positive(),
        role: roleSchema.optional(),
        displayName: z.string().trim().max(80).optional(),
        disabled: z.boolean().optional(),
      })
      .strict(),
    userSchema,
  ),
  /** Sets a new password, unlocks the account and ends its sessions. */
  'auth:resetPassword': call(
    z.object({ id: z.number().int().positive(), password: passwordSchema }).strict(),
    userSchema,
  ),
  /** Ends every session of a user (an admin's "log out everywhere" for someone else). */
  'auth:endSessions': call(userIdArg, z.object({ ended: z.number().int() })),
};

export const authEvents = {
  /** Users, tokens or sessions changed (no detail: windows that show them reload). */
  'auth:changed': z.object({}),
};
