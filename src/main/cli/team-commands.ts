import { parseArgs } from 'node:util';
import { roleSchema, usernameSchema, type Role, type User } from '../../shared/contract/auth';
import { AppError } from '../../shared/result';
import { DataDirBusyError } from '../core/data-dir';
import { defaultDataDir } from '../core/paths';
import { cliActor, DoorRefused, openAdminDoor, openFolder, type AdminDoor } from './admin-door';
import { PasswordRefused, readNewPassword } from './password-input';

export const USERS_USAGE = `Usage: flightdeck users list [--json]
       flightdeck users add <name> --role <role> [--display-name <text>]
       flightdeck users role <name> <role>
       flightdeck users disable <name>
       flightdeck users enable <name>
       flightdeck users reset <name>
Options: --data-dir <dir>, --token <personal API token> (or FLIGHTDECK_API_TOKEN)

Team mode's accounts. Roles: viewer, operator, approver, editor, admin (each may do what the
ones before it may). add and reset ask for the password twice at a terminal, or read its first
line from standard input when piped; there is no default. reset also unlocks the account and
ends its sessions; disable ends its sessions and stops its tokens.
With no console running, the data folder is changed directly (it is locked meanwhile). With a
console running, the change goes through it with an admin's personal API token.
Exit codes: 0 done, 1 refused, 2 usage or bad input.`;

export const TEAM_USAGE = `Usage: flightdeck team enable --admin <name> [--display-name <text>] [--data-dir <dir>]

Switches the data folder to team mode: everyone signs in with their own account, each role
may do only its part, and the audit log names each person. Creates the first admin, whose
password is typed twice at a terminal or piped in (first line of standard input); there is
never a default. Recorded in the audit log. Stop the console on this folder first.
Exit codes: 0 done, 1 refused, 2 usage or bad input.`;

/** A mistake in how the command was called (exit 2). */
export class UsageError extends Error {}

const ROLE_LIST = roleSchema.options.join(', ');

function parseName(value: string | undefined): string {
  const name = usernameSchema.safeParse(value ?? '');
  if (!name.success) throw new UsageError(`A user name is needed: ${name.error.issues[0]?.message ?? 'invalid'}.`);
  return name.data;
}

function parseRole(value: string | undefined): Role {
  const role = roleSchema.safeParse(value);
  if (!role.success) throw new UsageError(`--role must be one of ${ROLE_LIST} (got "${value ?? ''}").`);
  return role.data;
}

function describe(user: User): string {
  const state = user.disabled
    ? 'disabled'
    : user.lockedUntilMs
      ? `locked until ${new Date(user.lockedUntilMs).toISOString()}`
      : 'active';
  const last = user.lastLoginAtMs ? new Date(user.lastLoginAtMs).toISOString() : 'never';
  return `${user.username.padEnd(20)} ${user.role.padEnd(9)} ${state.padEnd(12)} last sign-in ${last}`;
}

async function findUser(door: AdminDoor, name: string): Promise<User> {
  const user = (await door.listUsers()).find((u) => u.username.toLowerCase() === name.toLowerCase());
  if (!user) throw new DoorRefused(`No user named ${name}.`);
  return user;
}

/** `flightdeck users …`: prints what happened; throws UsageError, DoorRefused or AppError. */
export async function runUsersCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      'display-name': { type: 'string' },
      'data-dir': { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [verb, name, extra] = positionals;
  const known = ['list', 'add', 'role', 'disable', 'enable', 'reset'];
  if (!verb || !known.includes(verb)) throw new UsageError(USERS_USAGE);
  // Checked before anything is opened: bad input changes nothing.
  const username = verb === 'list' ? '' : parseName(name);
  const role = verb === 'add' ? parseRole(values.role) : verb === 'role' ? parseRole(extra) : undefined;
  const password =
    verb === 'add' || verb === 'reset' ? await readNewPassword(`New password for ${username}`) : undefined;

  const door = await openAdminDoor(values['data-dir'] ?? defaultDataDir(env), values.token ?? env.FLIGHTDECK_API_TOKEN);
  try {
    switch (verb) {
      case 'list': {
        const users = await door.listUsers();
        if (values.json) console.log(JSON.stringify(users, null, 2));
        else if (users.length === 0) console.log('No users.');
        else users.forEach((u) => console.log(describe(u)));
        return;
      }
      case 'add': {
        const user = await door.addUser({
          username,
          displayName: values['display-name'] ?? '',
          role: role!,
          password: password!,
        });
        console.log(`Added ${user.username} (${user.role}) ${door.where}.`);
        return;
      }
      case 'role': {
        const user = await door.updateUser({ id: (await findUser(door, username)).id, role: role! });
        console.log(`${user.username} is now ${user.role} (${door.where}).`);
        return;
      }
      case 'disable':
      case 'enable': {
        const user = await door.updateUser({ id: (await findUser(door, username)).id, disabled: verb === 'disable' });
        console.log(
          `${user.username} is ${user.disabled ? 'disabled: their sessions ended and their tokens stopped' : 'enabled'} (${door.where}).`,
        );
        return;
      }
      case 'reset': {
        const user = await door.resetPassword((await findUser(door, username)).id, password!);
        console.log(`${user.username} has a new password, is unlocked and was signed out everywhere (${door.where}).`);
        return;
      }
    }
  } finally {
    door.close();
  }
}

/** `flightdeck team enable`: on the folder itself only (the console must be stopped). */
export async function runTeamCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { admin: { type: 'string' }, 'display-name': { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  if (positionals[0] !== 'enable' || positionals.length > 1) throw new UsageError(TEAM_USAGE);
  if (!values.admin) throw new UsageError(`--admin <name> names the first admin.\n\n${TEAM_USAGE}`);
  const admin = parseName(values.admin);
  const dataDir = values['data-dir'] ?? defaultDataDir(env);
  let folder: ReturnType<typeof openFolder>;
  try {
    folder = openFolder(dataDir);
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      throw new DoorRefused(
        `${error.message.replace(' Open that, or pass --data-dir.', '')} Stop it first: switching to team mode changes how everyone signs in.`,
      );
    }
    throw error;
  }
  try {
    if (folder.auth.teamMode()) throw new DoorRefused(`The data folder ${dataDir} is in team mode already.`);
    const password = await readNewPassword(`Password for ${admin} (the first admin)`);
    const user = await folder.auth.enableTeamMode(
      { username: admin, ...(values['display-name'] ? { displayName: values['display-name'] } : {}), password },
      cliActor(),
    );
    console.log(`Team mode is on for ${dataDir}. ${user.username} is its first admin.`);
    console.log('Start the console and sign in; add people with `flightdeck users add` or under Team.');
  } finally {
    folder.close();
  }
}

/** How a failure of these commands is told: the message and the exit code. */
export function failureOf(error: unknown): { message: string; code: number } {
  if (error instanceof UsageError) return { message: error.message, code: 2 };
  if (error instanceof DoorRefused) return { message: error.message, code: 1 };
  if (error instanceof AppError) return { message: `${error.code}: ${error.message}`, code: 1 };
  if (error instanceof PasswordRefused) return { message: error.message, code: 2 };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    return { message: (error as Error).message, code: 2 };
  return { message: `flightdeck: ${(error as Error).message}`, code: 1 };
}
