import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startHugeAnswerServer, type AnswerServer } from '../testing/answer-servers';
import { waitUntil } from '../testing/wait';
import { cutExcerpt, declaredLength, readBounded, sizeInWords } from './bounded-body';

const servers: AnswerServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const MB = 1024 * 1024;

describe('readBounded', () => {
  it('reads an answer within the limit whole, including one exactly at the limit', async () => {
    expect(await readBounded(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 100)).toEqual({
      text: '{"a":1}',
      cut: false,
      bytes: 7,
    });
    expect(await readBounded(Readable.from([Buffer.from('12345')]), 5)).toEqual({
      text: '12345',
      cut: false,
      bytes: 5,
    });
    expect(await readBounded(Readable.from([]), 5)).toEqual({ text: '', cut: false, bytes: 0 });
  });

  it('cuts at the limit, stops reading and destroys the body', async () => {
    let pulled = 0;
    const body = new Readable({
      read() {
        pulled++;
        this.push(Buffer.alloc(10, 'y'));
      },
    });
    const read = await readBounded(body, 25);
    expect(read).toEqual({ text: 'y'.repeat(25), cut: true, bytes: 25 });
    expect(body.destroyed).toBe(true);
    expect(pulled).toBeLessThan(10);
    // One byte over is a cut too.
    expect(await readBounded(Readable.from([Buffer.from('12345'), Buffer.from('6')]), 5)).toMatchObject({
      text: '12345',
      cut: true,
    });
  });

  it('decodes UTF-8 across chunk borders and drops a character the cut splits', async () => {
    const euro = Buffer.from('€'); // three bytes
    const whole = await readBounded(Readable.from([euro.subarray(0, 1), euro.subarray(1)]), 10);
    expect(whole.text).toBe('€');
    const cut = await readBounded(Readable.from([Buffer.from('ab'), euro]), 4);
    expect(cut).toEqual({ text: 'ab', cut: true, bytes: 4 });
    expect((await readBounded(Readable.from([Buffer.from('\ufeff{}')]), 10)).text).toBe('{}');
  });

  it('passes a read error through', async () => {
    const body = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(readBounded(body, 10)).rejects.toThrow('connection reset');
  });

  it('stops a 100 MB answer over real HTTP after the limit: the server could not send it all', async () => {
    const server = await startHugeAnswerServer({ totalBytes: 100 * MB });
    servers.push(server);
    const response = await request(server.url, { method: 'GET' });
    const read = await readBounded(response.body, 64 * 1024);
    expect(read.cut).toBe(true);
    expect(read.bytes).toBe(64 * 1024);
    // The connection was closed: the server's answer ended short, most of it never sent.
    await waitUntil('the server to see the client leave', () => server.cutShort === 1);
    expect(server.sentBytes).toBeLessThan(32 * MB);
  });
});

describe('the small helpers', () => {
  it('says sizes in words and reads Content-Length', () => {
    expect(sizeInWords(64 * 1024)).toBe('64 KiB');
    expect(sizeInWords(64 * MB)).toBe('64 MiB');
    expect(sizeInWords(1000)).toBe('1000 bytes');
    expect(declaredLength({ 'content-length': '123' })).toBe(123);
    expect(declaredLength({ 'content-length': ['9'] })).toBe(9);
    expect(declaredLength({ 'content-length': 'lots' })).toBeUndefined();
    expect(declaredLength({})).toBeUndefined();
  });

  it('keeps a cut answer short enough for the 2 KB excerpt, with the note at its end', () => {
    const excerpt = cutExcerpt('z'.repeat(60_000), 64 * 1024);
    expect(excerpt.length).toBeLessThanOrEqual(2048);
    expect(excerpt.endsWith('… (cut at 64 KiB: the answer was longer)')).toBe(true);
  });
});
