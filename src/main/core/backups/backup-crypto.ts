/**
 * Passphrase encryption of a whole backup file: AES-256-GCM with a key derived by scrypt.
 *
 * Layout: MAGIC (8 bytes) | header length (uint16 BE) | header JSON | ciphertext | GCM tag (16).
 * The header (KDF parameters, salt, IV, key check) is authenticated as GCM additional data, so
 * editing it is detected. The key check (an HMAC of a constant under the derived key) tells a
 * wrong passphrase apart from a damaged file without decrypting anything.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../../shared/result';

export const ENCRYPTED_MAGIC = Buffer.from('FDBKENC1');
export const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const TAG_BYTES = 16;
/** p × N × r of a derivation this reader accepts: 4× what the writer uses (2^15 × 8 × 1). */
const MAX_SCRYPT_WORK = 2 ** 20;

const headerSchema = z
  .object({
    kdf: z.literal('scrypt'),
    /** scrypt cost parameters. */
    N: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 20),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: z.string().max(100),
    iv: z.string().max(100),
    keyCheck: z.string().max(200),
  })
  .strict()
  // Each bound alone still allows minutes of scrypt (p × N × r): a hostile header is refused instead.
  .refine((h) => h.N * h.r * h.p <= MAX_SCRYPT_WORK);
type Header = z.infer<typeof headerSchema>;

/** 2^15 × 8 × 128 B = 32 MiB of memory per derivation: slow for guessing, fine once. */
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 };

function deriveKey(passphrase: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...cost, maxmem: 256 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

const keyCheckOf = (key: Buffer) => createHmac('sha256', key).update('flightdeck-backup-key-check').digest('base64');

/** An encrypting transform for `pipeline`: header first, ciphertext, then the tag. */
export async function encryptor(passphrase: string) {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, DEFAULT_COST);
  const header: Header = {
    kdf: 'scrypt',
    ...DEFAULT_COST,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    keyCheck: keyCheckOf(key),
  };
  const headerBytes = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(2);
  length.writeUInt16BE(headerBytes.length);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(headerBytes);
  return async function* encrypt(source: AsyncIterable<Buffer>) {
    yield Buffer.concat([ENCRYPTED_MAGIC, length, headerBytes]);
    for await (const chunk of source) yield cipher.update(chunk);
    yield cipher.final();
    yield cipher.getAuthTag();
  };
}

/** Where the ciphertext of an encrypted file lies, and the decipher that reads it. */
export interface EncryptedBody {
  start: number;
  /** Inclusive end offset (for fs.createReadStream). */
  end: number;
  /**
   * A decrypting stream for `pipeline`: it fails (a VALIDATION AppError) at its end when the GCM
   * tag does not match, so a reader sees the file as checked only once the stream has ended.
   */
  decipher(): Transform;
}

/** Reads the first bytes: 'encrypted', 'gzip' or 'unknown'. */
export async function detectKind(path: string): Promise<'encrypted' | 'gzip' | 'unknown'> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(ENCRYPTED_MAGIC.length);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (bytesRead >= ENCRYPTED_MAGIC.length && head.equals(ENCRYPTED_MAGIC)) return 'encrypted';
    if (bytesRead >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
    return 'unknown';
  } finally {
    await file.close();
  }
}

const damaged = () =>
  new AppError(
    'VALIDATION',
    'This encrypted backup is damaged or truncated: its header cannot be read. Nothing was changed.',
  );

/** Checks the passphrase against the header; returns how to decrypt the body. */
export async function openEncrypted(path: string, passphrase: string | undefined): Promise<EncryptedBody> {
  if (!passphrase) {
    throw new AppError('VALIDATION', 'This backup is encrypted: enter the passphrase it was made with.');
  }
  const file = await open(path, 'r');
  let header: Header;
  let headerBytes: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await file.stat()).size;
    const lengthBytes = Buffer.alloc(2);
    await file.read(lengthBytes, 0, 2, ENCRYPTED_MAGIC.length);
    const headerLength = lengthBytes.readUInt16BE();
    const bodyStart = ENCRYPTED_MAGIC.length + 2 + headerLength;
    if (size <= bodyStart + TAG_BYTES) throw damaged();
    headerBytes = Buffer.alloc(headerLength);
    await file.read(headerBytes, 0, headerLength, ENCRYPTED_MAGIC.length + 2);
    let json: unknown;
    try {
      json = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      throw damaged();
    }
    const parsed = headerSchema.safeParse(json);
    if (!parsed.success) throw damaged();
    header = parsed.data;
    tag = Buffer.alloc(TAG_BYTES);
    await file.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await file.close();
  }
  const key = await deriveKey(passphrase, Buffer.from(header.salt, 'base64'), header);
  const expected = Buffer.from(keyCheckOf(key));
  const given = Buffer.from(header.keyCheck);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AppError('VALIDATION', 'Wrong passphrase for this backup. Nothing was changed.');
  }
  const start = ENCRYPTED_MAGIC.length + 2 + headerBytes.length;
  return {
    start,
    end: size - TAG_BYTES - 1,
    decipher() {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.iv, 'base64'));
      decipher.setAAD(headerBytes);
      decipher.setAuthTag(tag);
      return new Transform({
        transform(chunk: Buffer, _encoding, done) {
          done(null, decipher.update(chunk));
        },
        flush(done) {
          try {
            done(null, decipher.final());
          } catch {
            done(
              new AppError(
                'VALIDATION',
                'This encrypted backup was altered or is damaged (authentication failed). Nothing was changed.',
              ),
            );
          }
        },
      });
    },
  };
}
