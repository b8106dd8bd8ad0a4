// A real OpenID Provider (the `oidc-provider` package) for the sign-in tests, run as its own
// process (the package is an ES module). Usage: node oidc-provider.mjs <port> <redirect uri>.
// It signs in whoever /__control names without a form, and can be told to spoil the next ID
// token it issues (another audience, or expired an hour ago), re-signed with its own key, to
// prove the relying party checks them. It prints "provider ready" when it listens.
import { createServer } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const control = { user: 'wang.wei', spoil: 'none' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'planledger',
      client_secret: 'planledger-oidc-test-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
  findAccount: (_, id) => ({ accountId: id, claims: () => ({ sub: id, name: '王伟', email: `${id}@example.com` }) }),
  interactions: { url: (_, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || control.spoil === 'none' || !ctx.body?.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  if (control.spoil === 'audience') claims.aud = 'another-client';
  if (control.spoil === 'expired') {
    const now = Math.floor(Date.now() / 1000);
    Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  }
  control.spoil = 'none';
  ctx.body = { ...ctx.body, id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).sign(privateKey) };
});

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: control.user } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const handle = provider.callback();
createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/__control') {
    for (const key of ['user', 'spoil']) if (url.searchParams.has(key)) control[key] = url.searchParams.get(key);
    res.writeHead(204).end();
  } else if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => res.writeHead(500).end(String(error)));
  } else handle(req, res);
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('provider ready\n'));
