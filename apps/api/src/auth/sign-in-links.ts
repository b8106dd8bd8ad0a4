import { Injectable } from '@nestjs/common';
import { newSecret, sha256 } from './sessions.service';

/** How long the sign-in link printed at start stays valid. */
export const SIGN_IN_LINK_MINUTES = 15;

/**
 * One-time sign-in links for the embedded store's development admin: kept in this process only
 * (the embedded store runs one), each valid once and for minutes.
 */
@Injectable()
export class SignInLinks {
  private readonly links = new Map<string, { subject: string; expiresAt: number }>();

  issue(subject: string, minutes = SIGN_IN_LINK_MINUTES): string {
    const token = newSecret();
    this.links.set(sha256(token), { subject, expiresAt: Date.now() + minutes * 60_000 });
    return token;
  }

  /** The subject the link signs in, once; undefined when unknown, used or expired. */
  consume(token: string): string | undefined {
    const key = sha256(token);
    const link = this.links.get(key);
    this.links.delete(key);
    return link && link.expiresAt > Date.now() ? link.subject : undefined;
  }
}
