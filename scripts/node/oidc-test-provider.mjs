// A real OpenID provider for the tests (and for trying the sign-in by hand): `oidc-provider` (pinned in
// package.json) configured like ProConnect where it matters to us. The test suite starts it with `node` on
// 127.0.0.1 (tests/oidc_provider.py); it prints one JSON line {"issuer": ...} once it listens.
//
// Like ProConnect: the code flow with PKCE S256, scopes per claim (openid email given_name usual_name siret),
// client authentication by client_secret_post, the claims in a signed userinfo JWT, RS256 signatures,
// RP-initiated logout. For the tests: open dynamic registration (each test server registers its own redirect
// URIs), and the development login form, where the login is the person's e-mail (any
// password): people are described by MJPM_OIDC_PEOPLE, a JSON object {email: {claims...}}; any other login is
// a person whose verified e-mail is that login.
//
// Environment: PORT (default 0: any free port), MJPM_OIDC_PEOPLE, MJPM_OIDC_SIGNING_KEY (a private RSA JWK; by
// default a new one: the tests pass their own to re-sign altered tokens with the provider's real key).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const people = JSON.parse(process.env.MJPM_OIDC_PEOPLE || '{}');
const server = createServer();
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const key = process.env.MJPM_OIDC_SIGNING_KEY
    ? JSON.parse(process.env.MJPM_OIDC_SIGNING_KEY)
    : { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: randomBytes(8).toString('hex') };
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...key, use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      siret: ['siret'],
    },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      jwtUserinfo: { enabled: true },
    },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const claims = { email: id, email_verified: true, ...(people[id] || {}) };
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
