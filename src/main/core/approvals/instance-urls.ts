/**
 * Whether a URL is on an n8n instance's own address, however n8n spells it. n8n builds
 * `$execution.resumeUrl` on its WEBHOOK_URL, or else on N8N_HOST (default `localhost`): an
 * instance the console reaches at http://127.0.0.1:5678 hands out http://localhost:5678/… URLs.
 */

/** The addresses an instance answers on: where the console reaches it, and n8n's public webhook base. */
export interface InstanceAddress {
  baseUrl: string;
  /** n8n's WEBHOOK_URL when it differs from baseUrl (a proxy, a container name). */
  publicWebhookUrl?: string | null;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?|0\.0\.0\.0)$/i;

function parse(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
  } catch {
    return null;
  }
}

const portOf = (u: URL) => u.port || (u.protocol === 'https:' ? '443' : '80');
const hostsMatch = (a: string, b: string) =>
  a.toLowerCase() === b.toLowerCase() || (LOOPBACK.test(a) && LOOPBACK.test(b));
const pathOf = (u: URL) => u.pathname.replace(/\/+$/, '');

/** Same scheme, port and host (loopback names count as one), and the same path prefix. */
function sameServer(base: URL, target: URL): boolean {
  return (
    base.protocol === target.protocol && portOf(base) === portOf(target) && hostsMatch(base.hostname, target.hostname)
  );
}

function bases(instance: InstanceAddress): URL[] {
  return [instance.baseUrl, instance.publicWebhookUrl].flatMap((u) => {
    const parsed = u ? parse(u) : null;
    return parsed ? [parsed] : [];
  });
}

/** `url` lies under the instance's address or its public webhook base (path prefix included). */
export function isOnInstance(instance: InstanceAddress, url: string): boolean {
  const target = parse(url);
  if (!target || target.username || target.password) return false;
  return bases(instance).some((base) => sameServer(base, target) && target.pathname.startsWith(`${pathOf(base)}/`));
}

/** `url` names the instance itself: its address or its public webhook base, path included. */
export function isInstanceBase(instance: InstanceAddress, url: string): boolean {
  const target = parse(url);
  if (!target) return false;
  return bases(instance).some((base) => sameServer(base, target) && pathOf(base) === pathOf(target));
}

/**
 * The URL as the console reaches the instance: a loopback spelling n8n chose (`localhost`) is
 * replaced by the one the instance is saved with (`127.0.0.1`), since n8n may listen on one
 * address family only. Anything else is returned unchanged (path and signature kept).
 */
export function onSavedAddress(instance: InstanceAddress, url: string): string {
  const base = parse(instance.baseUrl);
  const target = parse(url);
  if (!base || !target || !sameServer(base, target) || base.hostname === target.hostname) return url;
  target.hostname = base.hostname;
  return target.toString();
}

/** How an operator should read the instance's accepted addresses in an error message. */
export function describeAddresses(instance: InstanceAddress): string {
  return bases(instance)
    .map((u) => `${u.origin}${pathOf(u)}`)
    .join(' or ');
}
