import { SignJWT } from 'jose';

/** The HS256 secret the e2e APIs are started with (AUTH_JWT_SECRET). */
export const TEST_JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

/** A bearer token for `user:<sub>`, as an identity provider would issue it. */
export function tokenFor(sub: string, options: { secret?: string; expiresIn?: string; issuedAt?: Date } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(options.issuedAt)
    .setExpirationTime(options.issuedAt ? new Date(options.issuedAt.getTime() + 3_600_000) : (options.expiresIn ?? '1h'))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
