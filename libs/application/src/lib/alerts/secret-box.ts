import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Seals what must never sit in the log in clear (a webhook's signing secret, a chat robot's URL
 * with its token): AES-256-GCM under a key derived from NOTIFY_SECRET_KEY. The sealed text is
 * `v1.<iv>.<tag>.<ciphertext>`, base64url; a wrong key or a changed byte fails to open.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('NOTIFY_SECRET_KEY must be at least 32 characters');
    this.key = createHash('sha256').update(`planledger-notify\n${secret}`).digest();
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open<T>(sealed: string): T {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('sealed value is not in the v1 format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')) as T;
    } catch {
      throw new Error('sealed value cannot be opened: NOTIFY_SECRET_KEY differs from the one that sealed it, or the value was changed');
    }
  }
}

/** A URL for lists: scheme and host, the path and query (tokens live there, even in a first segment) masked. */
export function maskUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}/…`;
}

/** An e-mail address for lists: the first letter of the local part, then the domain. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, 1)}…${address.slice(at)}`;
}
