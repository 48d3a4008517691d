import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { passwordSchema } from '../../shared/contract/auth';

/** The password could not be read or was refused; nothing was changed. */
export class PasswordRefused extends Error {}

/**
 * A password from the person at the terminal (asked twice, not echoed) or from a pipe (the first
 * line of standard input: `printf '%s\n' "$PW" | flightdeck users add ana --role viewer`). There is
 * never a default. Refuses what the accounts would refuse (too short, too long), before anything
 * is written.
 */
export async function readNewPassword(prompt: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  const password = input.isTTY ? await askTwice(prompt, input) : firstLine(await readAll(input));
  const checked = passwordSchema.safeParse(password);
  if (!checked.success)
    throw new PasswordRefused(`The password was refused: ${checked.error.issues[0]?.message ?? 'invalid'}.`);
  return checked.data;
}

/** The first line of piped text, without its line ending; other lines are ignored. */
export function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

async function readAll(input: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    // A password is one short line: do not read a whole file piped in by mistake.
    if (size > 64 * 1024) break;
    chunks.push(buffer);
  }
  if (size === 0)
    throw new PasswordRefused('No password on standard input: type it at a terminal, or pipe it in (one line).');
  return Buffer.concat(chunks).toString('utf8');
}

async function askTwice(prompt: string, input: NodeJS.ReadStream): Promise<string> {
  const first = await askHidden(`${prompt}: `, input);
  const second = await askHidden('Once more: ', input);
  if (first !== second) throw new PasswordRefused('The two passwords differ; nothing was changed.');
  return first;
}

/** Reads one line at the terminal without echoing what is typed. */
function askHidden(question: string, input: NodeJS.ReadStream): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output, terminal: true });
  return new Promise((resolve, reject) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
    rl.on('SIGINT', () => {
      rl.close();
      reject(new PasswordRefused('Cancelled; nothing was changed.'));
    });
  });
}
