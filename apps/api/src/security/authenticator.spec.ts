import { Access, type RequestMetadata } from '@planledger/application';
import { InMemoryEventStore } from '@planledger/event-store';
import { SignJWT } from 'jose';
import { AuthenticationFailed, Authenticator } from './authenticator';
import type { AuthSettings } from './auth-settings';

const secret = new TextEncoder().encode('unit-secret-that-is-long-enough-0123456789');
const settings: AuthSettings = { key: secret, algorithms: ['HS256'], admins: new Set(['user:alice', 'service:ops']) };
const meta: RequestMetadata = { actor: 'user:alice', now: new Date().toISOString(), correlationId: 'c1' };
const token = (sub: string, expiresIn = '5m') =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(expiresIn).sign(secret);

describe('Authenticator', () => {
  let access: Access;
  let authenticator: Authenticator;
  beforeEach(() => {
    access = new Access(new InMemoryEventStore());
    authenticator = new Authenticator(settings, access);
  });

  const failure = (header: string | undefined) =>
    authenticator.authenticate(header).then(
      () => undefined,
      (e: unknown) => e as AuthenticationFailed,
    );

  it('turns a valid bearer token into user:<sub>, an admin when listed', async () => {
    expect(await authenticator.authenticate(`Bearer ${await token('alice')}`)).toEqual({ subject: 'user:alice', admin: true, via: 'jwt' });
    expect(await authenticator.authenticate(`bearer ${await token('bob')}`)).toEqual({ subject: 'user:bob', admin: false, via: 'jwt' });
  });

  it('answers the same token from its cache, and never caches a refused one', async () => {
    const valid = await token('bob');
    await authenticator.authenticate(`Bearer ${valid}`);
    expect(await authenticator.authenticate(`Bearer ${valid}`)).toMatchObject({ subject: 'user:bob' });
    const expired = await token('bob', '-2m');
    expect(await failure(`Bearer ${expired}`)).toMatchObject({ code: 'CREDENTIAL_INVALID', message: 'the token has expired' });
    expect(await failure(`Bearer ${expired}`)).toMatchObject({ code: 'CREDENTIAL_INVALID' });
  });

  describe('token lifetime and claims', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const sign = (build: (jwt: SignJWT) => SignJWT) =>
      build(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice')).sign(secret);
    const bounded = () => new Authenticator({ ...settings, maxLifetimeSeconds: 24 * 3600 }, access);
    const refusal = (auth: Authenticator, jwt: string) =>
      auth.authenticate(`Bearer ${jwt}`).then(
        () => 'accepted',
        (e: AuthenticationFailed) => e.message,
      );

    it('refuses a token without exp', async () => {
      expect(await refusal(authenticator, await sign((j) => j.setIssuedAt()))).toMatch(/not valid \(exp: missing required "exp" claim\)/);
    });
    it('refuses an iat or nbf in the future beyond a 30-second skew, and takes one within it', async () => {
      expect(await refusal(authenticator, await sign((j) => j.setIssuedAt(now() + 120).setExpirationTime('1h')))).toMatch(
        /issued in the future/,
      );
      expect(await refusal(authenticator, await sign((j) => j.setNotBefore(now() + 120).setExpirationTime('1h')))).toMatch(/nbf/);
      expect(await refusal(authenticator, await sign((j) => j.setIssuedAt(now() + 10).setExpirationTime('1h')))).toBe('accepted');
    });
    it('refuses a token valid for longer than the longest lifetime, counted from iat or from now', async () => {
      expect(await refusal(bounded(), await sign((j) => j.setIssuedAt().setExpirationTime('25h')))).toMatch(/longer than the 24 hours/);
      expect(await refusal(bounded(), await sign((j) => j.setExpirationTime('25h')))).toMatch(/longer than the 24 hours/);
      expect(await refusal(bounded(), await sign((j) => j.setIssuedAt().setExpirationTime('23h')))).toBe('accepted');
    });
    it('requires the issuer and audience when they are configured', async () => {
      const strict = new Authenticator({ ...settings, issuer: 'https://idp.example', audience: 'planledger' }, access);
      expect(await refusal(strict, await sign((j) => j.setExpirationTime('5m')))).toMatch(/iss/);
      expect(await refusal(strict, await sign((j) => j.setIssuer('https://idp.example').setExpirationTime('5m')))).toMatch(/aud/);
      expect(
        await refusal(strict, await sign((j) => j.setIssuer('https://idp.example').setAudience('planledger').setExpirationTime('5m'))),
      ).toBe('accepted');
    });
  });

  it('names what is wrong with a missing or malformed header', async () => {
    expect(await failure(undefined)).toMatchObject({ code: 'CREDENTIAL_REQUIRED' });
    expect(await failure('Bearer')).toMatchObject({ code: 'CREDENTIAL_INVALID' });
    expect(await failure('Basic dXNlcjpwdw==')).toMatchObject({ code: 'CREDENTIAL_INVALID', message: expect.stringContaining('Basic') });
    expect(await failure('Bearer a b')).toMatchObject({ code: 'CREDENTIAL_INVALID' });
    const noSubject = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(secret);
    expect(await failure(`Bearer ${noSubject}`)).toMatchObject({ message: 'the token names no subject (sub)' });
  });

  it('accepts an API key as its service subject until it is revoked', async () => {
    const issued = await access.issueApiKey('ops', undefined, meta);
    expect(await authenticator.authenticate(`ApiKey ${issued.key}`)).toEqual({ subject: 'service:ops', admin: true, via: 'api-key' });
    await access.revokeApiKey(issued.keyId, 'rotated', meta);
    expect(await failure(`ApiKey ${issued.key}`)).toMatchObject({
      code: 'CREDENTIAL_INVALID',
      message: 'the API key is unknown, revoked or expired',
    });
  });
});
