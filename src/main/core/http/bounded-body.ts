/**
 * Reading an HTTP answer with a size limit. `response.body.text()` holds a whole answer in memory
 * however large it is: a webhook answering with a file, or a proxy streaming a download, would
 * cost that much memory per call in flight. Every answer from n8n or a webhook is read through
 * `readBounded` instead, with a limit chosen for what the answer is for (the constants below).
 */
import { StringDecoder } from 'node:string_decoder';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * A webhook's answer (dispatch; the n8n client's doors: webhooks and waiting resumes): enough for n8n's own
 * JSON answers (`{"executionId": …}`, `{"message": …}`) and the run's 2 KB excerpt. A longer
 * answer is cut, not refused: the status code decides the run.
 */
export const WEBHOOK_ANSWER_LIMIT = 64 * KiB;

/**
 * One n8n API answer. A page of 250 executions with their data from the fake n8n is ~330 KB
 * (~1.3 KB each); real runs carry their nodes' output, so this leaves ~260 KB per execution
 * for a full page. A longer answer is refused (N8N_BAD_RESPONSE naming the limit).
 */
export const N8N_API_ANSWER_LIMIT = 64 * MiB;

/** The health probe's answer: only its first words are looked at. */
export const PROBE_ANSWER_LIMIT = 4 * KiB;

export interface BoundedText {
  /** The answer as UTF-8 text, or its first `limitBytes` bytes when cut (a split character dropped). */
  text: string;
  /** The answer was longer than the limit: the rest was never read and the connection was closed. */
  cut: boolean;
  /** Bytes read, at most the limit. */
  bytes: number;
}

/** What readBounded needs of a body: undici's BodyReadable, or any Node Readable. */
export interface ReadableBody extends AsyncIterable<Uint8Array | string> {
  destroy(error?: Error): unknown;
}

/**
 * Reads a body up to `limitBytes`, then stops: the body is destroyed (undici then closes the
 * connection rather than reading the rest into the void), so a 100 MB answer costs at most the
 * limit in memory and the server is told to stop sending. Errors while reading (a reset, an abort
 * signal) are thrown as they are.
 */
export async function readBounded(body: ReadableBody, limitBytes: number): Promise<BoundedText> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let cut = false;
  for await (const chunk of body) {
    const buffer =
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = limitBytes - bytes;
    if (buffer.length > room) {
      if (room > 0) chunks.push(buffer.subarray(0, room));
      bytes += room;
      cut = true;
      break;
    }
    chunks.push(buffer);
    bytes += buffer.length;
  }
  // Leaving a for-await early destroys the stream already; said again so it never depends on that.
  if (cut) body.destroy();
  const decoder = new StringDecoder('utf8');
  // A cut may split a character: write() keeps its first bytes back, and they are dropped.
  const text = decoder.write(Buffer.concat(chunks, bytes)) + (cut ? '' : decoder.end());
  // As undici's body.text(): a leading byte-order mark is not part of the text (JSON.parse trips on it).
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, cut, bytes };
}

/** "64 KiB", "64 MiB": limits in words for messages. */
export function sizeInWords(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`;
  return `${bytes} bytes`;
}

/**
 * The Content-Length an answer declares, when it declares one: an answer announced as longer than
 * its limit can be refused before a byte of it is read.
 */
export function declaredLength(headers: Record<string, string | string[] | undefined>): number | undefined {
  const raw = headers['content-length'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * A cut answer as it is kept: its head, then a note saying it was cut, short enough that the
 * note survives a run's 2 KB excerpt (executions-writer.ts).
 */
export function cutExcerpt(text: string, limitBytes: number): string {
  return `${text.slice(0, 1_900)}… (cut at ${sizeInWords(limitBytes)}: the answer was longer)`;
}
