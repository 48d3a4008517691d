import { spawn } from 'node:child_process';
import WebSocket from 'ws';

/** The password every account of these tests gets (12+ characters: the accounts' minimum). */
export const TEAM_PASSWORD = 'correct horse battery staple';

/** `node bin/flightdeck.mjs …` with `stdin` piped in (the password): exit code and output. */
export function flightdeckCli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/flightdeck.mjs', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** `flightdeck team enable --admin <name>` on a stopped data folder, the password piped in. */
export async function enableTeamMode(dataDir: string, admin = 'boss'): Promise<void> {
  const result = await flightdeckCli(['team', 'enable', '--admin', admin, '--data-dir', dataDir], `${TEAM_PASSWORD}\n`);
  if (result.code !== 0) throw new Error(`team enable failed (${result.code}): ${result.stderr}${result.stdout}`);
}

export interface SignIn {
  status: number;
  /** `name=value` of the session cookie, to send back as a Cookie header. */
  cookie: string | null;
  /** The Set-Cookie header as the host sent it. */
  setCookie: string | null;
  body: { ok: boolean; message?: string };
}

/** POST /auth/login as the sign-in page does. */
export async function signIn(base: string, username: string, password = TEAM_PASSWORD): Promise<SignIn> {
  const answer = await fetch(new URL('/auth/login', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = answer.headers.get('set-cookie');
  return {
    status: answer.status,
    setCookie,
    cookie: setCookie ? (setCookie.split(';')[0] ?? null) : null,
    body: (await answer.json()) as SignIn['body'],
  };
}

/** A session cookie, or throws naming what the host said. */
export async function sessionOf(base: string, username: string): Promise<string> {
  const answer = await signIn(base, username);
  if (answer.status !== 200 || !answer.cookie)
    throw new Error(`${username} could not sign in: ${JSON.stringify(answer.body)}`);
  return answer.cookie;
}

export type CallResult =
  { ok: true; data: any } | { ok: false; error: { code: string; message: string; details?: any } };

export interface TeamSocket {
  ws: WebSocket;
  call(channel: string, input: unknown): Promise<CallResult>;
  /** Resolves with the close code once the host (or we) closed the connection. */
  closed: Promise<number>;
  close(): void;
}

/**
 * A WebSocket to the host's contract as someone: a session cookie (as a browser sends it) or a
 * personal API token (the sub-protocol, as scripts do). Rejects with the HTTP status when the
 * host refuses the upgrade.
 */
export async function teamSocket(
  base: string,
  credential: { cookie: string } | { token: string },
): Promise<TeamSocket> {
  const url = new URL(base);
  const protocols = 'token' in credential ? ['flightdeck.v1', `token.${credential.token}`] : ['flightdeck.v1'];
  const ws = new WebSocket(
    `ws://${url.host}/api`,
    protocols,
    'cookie' in credential ? { headers: { cookie: credential.cookie } } : {},
  );
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      reject(new Error(`upgrade refused: ${response.statusCode}`));
      ws.terminate();
    });
    ws.once('error', reject);
  });
  const replies = new Map<number, (result: CallResult) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string; id: number; result: CallResult };
    if (frame.type === 'result') replies.get(frame.id)?.(frame.result);
  });
  let id = 0;
  return {
    ws,
    closed,
    close: () => ws.close(),
    call(channel, input) {
      const mine = ++id;
      const reply = new Promise<CallResult>((resolve) => replies.set(mine, resolve));
      ws.send(JSON.stringify({ type: 'call', id: mine, channel, input }));
      return reply;
    },
  };
}

/** The status the host answers a WebSocket upgrade with these credentials (101: accepted). */
export async function upgradeStatus(
  base: string,
  headers: Record<string, string>,
  protocols = ['flightdeck.v1'],
): Promise<number> {
  const url = new URL(base);
  const ws = new WebSocket(`ws://${url.host}/api`, protocols, { headers });
  ws.on('error', () => undefined);
  return new Promise<number>((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}
