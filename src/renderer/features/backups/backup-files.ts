import { send } from '../../api/client';

/** Pieces of a file read from core: answers are not size-limited, so large pieces mean fewer calls. */
const DOWNLOAD_PIECE_BYTES = 2 * 1024 * 1024;

/**
 * Pieces of a file sent to core. A call's argument must stay under the payload limit (1 MiB by
 * default, FLIGHTDECK_MAX_PAYLOAD_BYTES): 512 KiB is ~683 KiB as base64, room to spare.
 */
const UPLOAD_PIECE_BYTES = 512 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Downloads a backup file from core through the browser's download (Electron's window too). */
export async function downloadBackup(path: string, name: string, onProgress: (done: number, total: number) => void) {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  for (;;) {
    const piece = await send('backups:read', { path, offset, length: DOWNLOAD_PIECE_BYTES });
    const bytes = fromBase64(piece.dataBase64);
    parts.push(bytes);
    offset += bytes.length;
    onProgress(offset, piece.bytes);
    if (piece.done || bytes.length === 0) break;
  }
  const url = URL.createObjectURL(new Blob(parts, { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Sends a picked file to core in pieces; returns the upload id to inspect. */
export async function uploadBackup(file: File, onProgress: (done: number, total: number) => void): Promise<string> {
  const uploadId = crypto.randomUUID();
  for (let offset = 0; offset < file.size || offset === 0; offset += UPLOAD_PIECE_BYTES) {
    const bytes = new Uint8Array(await file.slice(offset, offset + UPLOAD_PIECE_BYTES).arrayBuffer());
    await send('backups:upload', { uploadId, offset, dataBase64: toBase64(bytes) });
    onProgress(Math.min(offset + UPLOAD_PIECE_BYTES, file.size), file.size);
    if (file.size === 0) break;
  }
  return uploadId;
}

export const formatBytes = (n: number) =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} kB` : `${n} B`;
