/**
 * Marker / nextToken pagination. Tokens are opaque to callers (as AWS's are) and only valid for the
 * listing that issued them; a foreign or corrupt token is rejected like AWS rejects one.
 */

const PREFIX = 'sim1:';

export function encodeToken(offset: number): string {
  return Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64');
}

/** The offset a token stands for, or undefined when the token is not one of ours. */
export function decodeToken(token: string): number | undefined {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith(PREFIX)) return undefined;
  const offset = Number(text.slice(PREFIX.length));
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : undefined;
}

export interface Page<T> {
  items: T[];
  next: string | undefined;
}

export function paginate<T>(items: readonly T[], offset: number, pageSize: number): Page<T> {
  const end = offset + pageSize;
  return { items: items.slice(offset, end), next: end < items.length ? encodeToken(end) : undefined };
}
