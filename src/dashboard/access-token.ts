import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Hosts that only this machine reaches: the dashboard needs no token there (unless one is given). */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Whether binding `host` keeps the dashboard on this machine.
 *
 * @example
 * ```ts
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0');   // false: a token is required
 * ```
 */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host);
}

/**
 * A fresh token: 24 random bytes, URL-safe (it travels in the page's URL and the stream's).
 *
 * @example
 * ```ts
 * const token = newToken(); // 'q3v...' (32 characters)
 * ```
 */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The token a request carries: `Authorization: Bearer T`, or `?token=T` (an EventSource cannot
 * set headers, so the stream and the page's own URL carry it in the query).
 *
 * @example
 * ```ts
 * requestToken(req, new URL(req.url!, 'http://x')); // 'q3v...' or undefined
 * ```
 */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Compares a presented token with the expected one in constant time (no timing leak of a prefix).
 *
 * @example
 * ```ts
 * tokenMatches('abc', 'abc'); // true
 * ```
 */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
