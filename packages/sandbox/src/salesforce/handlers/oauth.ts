import { createHmac } from 'node:crypto';
import { HttpResponse } from 'msw';
import { route } from '../../instrument.js';
import type { Row } from '../store.js';
import { bearerToken, isValidToken, json, type SfContext } from './context.js';

/**
 * The OAuth token endpoint for the two server-to-server flows accord uses: JWT bearer (the
 * assertion's iss is the consumer key, sub the username) and client credentials (runs as the
 * org's admin user). The JWT's structure and claims are checked; its signature is not, since the
 * sandbox holds no certificate for the connected app.
 */

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function oauthError(error: string, description: string, status = 400): Response {
  return HttpResponse.json({ error, error_description: description }, { status });
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function basicCredentials(request: Request): [string, string] | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0
    ? undefined
    : [decodeURIComponent(decoded.slice(0, i)), decodeURIComponent(decoded.slice(i + 1))];
}

export function oauthHandlers(ctx: SfContext) {
  const { store, tenant } = ctx;
  let issued = 0;

  const grant = (user: Row) => {
    const accessToken = `${store.orgId.slice(0, 15)}!AR${String(++issued).padStart(6, '0')}.sandbox.${store.org}`;
    store.issuedTokens.add(accessToken);
    const issuedAt = String(store.now().getTime());
    const id = `${tenant.baseUrl}/id/${store.orgId}/${user.Id}`;
    return HttpResponse.json({
      access_token: accessToken,
      scope: 'api id',
      instance_url: tenant.baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature: createHmac('sha256', store.credentials.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
    });
  };

  const usable = (user: Row | undefined): user is Row =>
    user !== undefined && user.IsActive === true && store.loginOf(user.Id)?.IsFrozen !== true;

  return [
    route(tenant, 'post', '/services/oauth2/token', async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const grantType = form.get('grant_type');
      if (grantType === JWT_BEARER) {
        const parts = (form.get('assertion') ?? '').split('.');
        const header = decodePart(parts[0]);
        const claims = decodePart(parts[1]);
        if (parts.length !== 3 || !header || !claims) return oauthError('invalid_grant', 'invalid assertion');
        if (claims.iss !== store.credentials.clientId)
          return oauthError('invalid_client_id', 'client identifier invalid');
        if (typeof claims.aud !== 'string' || claims.aud === '')
          return oauthError('invalid_grant', 'audience is invalid');
        if (typeof claims.exp !== 'number' || claims.exp * 1000 < store.now().getTime())
          return oauthError('invalid_grant', 'expired authorization code');
        const user = typeof claims.sub === 'string' ? store.user(claims.sub) : undefined;
        if (!usable(user)) return oauthError('invalid_grant', "user hasn't approved this consumer");
        return grant(user);
      }
      if (grantType === 'client_credentials') {
        const [id, secret] = basicCredentials(request) ?? [form.get('client_id'), form.get('client_secret')];
        if (id !== store.credentials.clientId || secret !== store.credentials.clientSecret)
          return oauthError('invalid_client', 'invalid client credentials');
        const user = store.user(store.adminUsername);
        if (!usable(user)) return oauthError('invalid_grant', 'no client credentials user enabled');
        return grant(user);
      }
      return oauthError('unsupported_grant_type', 'grant type not supported');
    }),
    // The identity URL named by the token response's `id`.
    route(tenant, 'get', '/id/:orgId/:userId', ({ request, params }) => {
      if (!isValidToken(store, bearerToken(request)))
        return HttpResponse.text('Bad_OAuth_Token', { status: 403 });
      const user = store.get('User', String(params.userId));
      if (!user || params.orgId !== store.orgId) return HttpResponse.text('Bad_Id', { status: 404 });
      return json(store, {
        id: `${tenant.baseUrl}/id/${store.orgId}/${user.Id}`,
        user_id: user.Id,
        organization_id: store.orgId,
        username: user.Username,
        display_name: user.Name,
        email: user.Email,
        active: user.IsActive,
        user_type: 'STANDARD',
        urls: {
          rest: `${tenant.baseUrl}/services/data/v{version}/`,
          query: `${tenant.baseUrl}/services/data/v{version}/query/`,
        },
      });
    }),
  ];
}
