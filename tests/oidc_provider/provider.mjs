// A real OpenID Provider (the certified npm package oidc-provider) on 127.0.0.1, for sotehaku's sign-in
// tests; started by tests/oidc_fixture.py. Usage: node provider.mjs CONFIG_JSON
//   CONFIG_JSON: {"clients": [{client_id, client_secret, redirect_uris, id_token_ttl?}],
//                 "groups": {"account": ["group", ...]}}
// Sign-in uses the provider's development interactions (any login name, any password); consent is
// granted by the login itself. Prints "ISSUER <url>" once it listens, then serves until killed.
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] || '{}');
const groups = config.groups || {};
const ttls = Object.fromEntries((config.clients || []).map((c) => [c.client_id, c.id_token_ttl || 3600]));

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: (config.clients || []).map((c) => ({
      client_id: c.client_id,
      client_secret: c.client_secret,
      redirect_uris: c.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
    // Claims in the ID token itself (the code flow would otherwise put them in userinfo only).
    conformIdTokenClaims: false,
    ttl: { IdToken: (ctx, token, client) => ttls[client.clientId] || 3600 },
    cookies: { keys: ['sotehaku-test-provider-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, preferred_username: id, name: id, email: `${id}@example.fi`, groups: groups[id] || [] };
        },
      };
    },
    // Every requested scope and claim is granted at sign-in: the tests drive the login form only.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
      grant.addOIDCClaims(['sub', 'preferred_username', 'name', 'email', 'groups']);
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`ISSUER ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
