import type { IncomingHttpHeaders } from 'node:http';

/**
 * The team-mode session cookie. Cookies ignore ports, so the name carries the port: two consoles
 * on one machine (4680 and 4690) keep their own sign-ins. Over TLS the `__Host-` prefix makes the
 * browser insist on Secure, Path=/ and no Domain.
 */
export function sessionCookieName(port: number, tls: boolean): string {
  return `${tls ? '__Host-' : ''}flightdeck_session_${port}`;
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure over TLS. */
export function sessionCookie(name: string, secret: string, maxAgeMs: number, tls: boolean): string {
  const maxAge = Math.max(0, Math.floor(maxAgeMs / 1000));
  return `${name}=${secret}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${tls ? '; Secure' : ''}`;
}

/** Tells the browser to forget the cookie. */
export function clearedCookie(name: string, tls: boolean): string {
  return sessionCookie(name, '', 0, tls);
}

/** The value of one cookie from the Cookie header, or undefined. Never throws on odd headers. */
export function readCookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  if (typeof header !== 'string' || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    // Our secrets are base64url; anything else was not set by this host.
    return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
  }
  return undefined;
}
