import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../../../shared/result';

/**
 * Password hashing with Node's built-in scrypt (memory-hard; no native dependency to build for
 * Electron). Parameters are OWASP's scrypt recommendation: N = 2^17 (128 MiB per hash), r = 8,
 * p = 1, a 64-byte key and a 16-byte random salt. They are stored in each hash, so raising them
 * later keeps old hashes verifiable (and a sign-in re-hashes with the new ones).
 *
 * Format: `$scrypt$ln=17,r=8,p=1$<salt>$<key>` (base64 without padding).
 */
export interface ScryptCost {
  /** log2 of N, the CPU and memory cost. */
  ln: number;
  r: number;
  p: number;
}

export const DEFAULT_COST: ScryptCost = { ln: 17, r: 8, p: 1 };
const KEY_BYTES = 64;
const SALT_BYTES = 16;
/** Hashes computed at once; each holds 128 MiB for about a second on a busy machine. */
const MAX_CONCURRENT = 2;
/** Hashes waiting beyond that; more are refused (a sign-in flood must not exhaust memory). */
const MAX_WAITING = 32;

const memoryFor = (cost: ScryptCost) => 128 * 2 ** cost.ln * cost.r * cost.p + 16 * 1024 * 1024;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** cost.ln, r: cost.r, p: cost.p, maxmem: memoryFor(cost) };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const b64 = (buffer: Buffer) => buffer.toString('base64').replace(/=+$/, '');

/** Runs at most MAX_CONCURRENT hashes; refuses (RATE_LIMITED) when too many wait. */
function createGate() {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= MAX_CONCURRENT) {
      if (waiting.length >= MAX_WAITING) {
        throw new AppError('RATE_LIMITED', 'Too many sign-ins at once; try again in a few seconds.', {
          retryable: true,
          details: { retryAfterMs: 2_000 },
        });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when `password` matches; `stale` when the hash uses other parameters than the current ones. */
  verify(password: string, stored: string): Promise<{ ok: boolean; stale: boolean }>;
  /** Spends the same work as a real check, for names that have no account (no timing tell). */
  burn(password: string): Promise<void>;
}

const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const m = FORMAT.exec(stored);
  if (!m) return null;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  // A hash written by hand must not make the host allocate gigabytes.
  if (cost.ln < 10 || cost.ln > 20 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return null;
  return { cost, salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

export function createPasswordHasher(cost: ScryptCost = DEFAULT_COST): PasswordHasher {
  const withSlot = createGate();
  const dummySalt = randomBytes(SALT_BYTES);
  return {
    hash: (password) =>
      withSlot(async () => {
        const salt = randomBytes(SALT_BYTES);
        const key = await derive(password, salt, cost);
        return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
      }),
    verify: (password, stored) =>
      withSlot(async () => {
        const parsed = parse(stored);
        if (!parsed || parsed.key.length !== KEY_BYTES) {
          await derive(password, dummySalt, cost);
          return { ok: false, stale: false };
        }
        const key = await derive(password, parsed.salt, parsed.cost);
        const ok = timingSafeEqual(key, parsed.key);
        const stale = parsed.cost.ln !== cost.ln || parsed.cost.r !== cost.r || parsed.cost.p !== cost.p;
        return { ok, stale };
      }),
    burn: (password) => withSlot(async () => void (await derive(password, dummySalt, cost))),
  };
}
