import { basename } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Same policy as the Electron window: only our own scripts, and sockets back to this host. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Sent with every answer of the host, error pages included. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Another site's page may not embed or read our answers (an <img src> still gets its 4xx).
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** index.html is read fresh on every load (it names the current build's assets); assets are cached. */
function cacheHeaders(reply: FastifyReply, path: string): void {
  reply.header('Cache-Control', basename(path) === 'index.html' ? 'no-store' : 'public, max-age=3600');
}

/**
 * Serves the built renderer with @fastify/static (path decoding, traversal and dotfile checks
 * are the plugin's, not ours). Unknown GET paths fall back to index.html: they are client-side
 * routes. Other methods answer 405.
 */
export async function registerStatic(app: FastifyInstance, rootDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: rootDir,
    wildcard: true,
    index: 'index.html',
    dotfiles: 'ignore',
    // Cache-Control is ours (cacheHeaders), by file.
    cacheControl: false,
    setHeaders: cacheHeaders,
  });
  app.setNotFoundHandler(
    // Client-side routes are served here, so this path is rate-limited like the others.
    { preHandler: app.rateLimit() },
    (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return reply
          .code(405)
          .header('Allow', 'GET, HEAD')
          .type('text/plain; charset=utf-8')
          .send('Method not allowed.\n');
      }
      reply.header('Cache-Control', 'no-store');
      return reply.sendFile('index.html');
    },
  );
}
