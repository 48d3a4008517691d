import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../shared/result';
import type { AuthService } from '../core/auth/auth-service';
import type { Logger } from '../core/logger';
import { clearedCookie, readCookie, sessionCookie } from './session-cookie';

export interface AuthRoutesOptions {
  auth: AuthService;
  /** The session cookie's name (it carries the port, known once the host listens). */
  cookieName: () => string;
  tls: boolean;
  /** Exact origins a browser may sign in from (those the WebSocket accepts). */
  allowedOrigins: () => string[];
  logger: Logger;
}

const loginBodySchema = z
  .object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1_000) })
  .strict();

const text = (reply: FastifyReply, status: number, message: string) =>
  reply.code(status).header('Cache-Control', 'no-store').send({ ok: false, message });

/** True for the app's own pages (not assets, the API, sign-in routes or /metrics). */
function isAppPage(path: string): boolean {
  if (path === '/' || path === '/index.html') return true;
  if (path.startsWith('/assets/') || path.startsWith('/auth/') || path === '/api' || path === '/metrics') return false;
  if (path === '/login' || path === '/login.html') return false;
  return !/\.[A-Za-z0-9]+$/.test(path);
}

/**
 * Team mode's doors on the host: `POST /auth/login` (JSON `{username, password}` → the session
 * cookie), `POST /auth/logout`, the sign-in page at `/login`, and the app's pages sent to
 * `/login` until the browser has a session. Throttling and lockout are the core's (auth-service).
 * Without team mode `/login` sends the browser to the app and the auth routes answer 404.
 */
export function registerAuthRoutes(app: FastifyInstance, options: AuthRoutesOptions): void {
  const { auth, tls, logger } = options;
  const cookieName = () => options.cookieName();
  const signedIn = (request: FastifyRequest) => {
    const secret = readCookie(request.headers, cookieName());
    return secret !== undefined && auth.resolve({ kind: 'session', secret }) !== null;
  };
  /** A browser's cross-site request (a form on another page) must not sign anyone in or out. */
  const foreignOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    return origin !== undefined && !options.allowedOrigins().includes(origin);
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    if (request.ws || !auth.teamMode()) return;
    const path = request.url.split('?')[0] ?? '/';
    if (isAppPage(path) && !signedIn(request)) {
      return reply.code(303).header('Location', '/login').header('Cache-Control', 'no-store').send();
    }
  });

  app.get('/login', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (!auth.teamMode() || signedIn(request)) return reply.code(303).header('Location', '/').send();
    return reply.sendFile('login.html');
  });

  // The page asks when its WebSocket keeps being refused: signed out (go to /login), or the host is away.
  app.get('/auth/session', async (request, reply) => {
    if (!auth.teamMode()) return text(reply, 404, 'This console runs without team mode.');
    return signedIn(request)
      ? reply.header('Cache-Control', 'no-store').send({ ok: true })
      : text(reply, 401, 'Signed out.');
  });

  app.post('/auth/login', { bodyLimit: 4096 }, async (request, reply) => {
    if (!auth.teamMode())
      return text(reply, 404, 'This console runs without team mode: there is nothing to sign in to.');
    if (foreignOrigin(request)) return text(reply, 403, 'Sign in from the console’s own page.');
    const body = loginBodySchema.safeParse(request.body);
    if (!body.success) return text(reply, 400, 'Send {"username": "…", "password": "…"} as JSON.');
    let outcome;
    try {
      outcome = await auth.login({
        username: body.data.username,
        password: body.data.password,
        address: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'RATE_LIMITED') {
        return text(reply.header('Retry-After', '2'), 503, error.message);
      }
      throw error;
    }
    switch (outcome.kind) {
      case 'ok':
        logger.info('Signed in', { username: outcome.user.username, address: request.ip });
        return reply
          .code(200)
          .header('Cache-Control', 'no-store')
          .header('Set-Cookie', sessionCookie(cookieName(), outcome.secret, auth.sessionTtlMs, tls))
          .send({
            ok: true,
            user: { username: outcome.user.username, role: outcome.user.role },
            expiresAtMs: outcome.expiresAtMs,
          });
      case 'throttled':
        return text(reply.header('Retry-After', String(Math.ceil(outcome.retryAfterMs / 1000))), 429, outcome.message);
      case 'disabled':
        return text(reply, 403, outcome.message);
      case 'refused':
        return text(reply, 401, outcome.message);
    }
  });

  app.post('/auth/logout', { bodyLimit: 1024 }, async (request, reply) => {
    if (!auth.teamMode()) return text(reply, 404, 'This console runs without team mode.');
    if (foreignOrigin(request)) return text(reply, 403, 'Sign out from the console’s own page.');
    const secret = readCookie(request.headers, cookieName());
    if (secret) auth.logout(secret);
    return reply
      .code(200)
      .header('Cache-Control', 'no-store')
      .header('Set-Cookie', clearedCookie(cookieName(), tls))
      .send({ ok: true });
  });
}
