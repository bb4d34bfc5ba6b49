import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { accessDenied, invalidToken } from './errors.js';
import type { Reply } from './http.js';
import { oktaToken } from './ids.js';
import type { OktaStore } from './store.js';

/** The sandbox's API token (`SSWS`). A fixed, public value: the sandbox guards nothing. */
export const OKTA_SANDBOX_TOKEN = '00sandbox-accord-okta-token-not-a-secret';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_SECONDS = 3600;

interface IssuedToken {
  clientId: string;
  scopes: Set<string>;
  expiresAt: number;
}

/**
 * Credentials: `Authorization: SSWS <api token>`, or `Bearer <access token>` from the token
 * endpoint (OAuth 2.0 client credentials with a private_key_jwt client assertion, as the SDK's
 * `authorizationMode: 'PrivateKey'` sends it). Issued tokens live as long as the tenant object.
 */
export class OktaAuth {
  private readonly tokens = new Map<string, IssuedToken>();
  private issued = 0;

  constructor(
    private readonly store: OktaStore,
    private readonly baseUrl: string,
    private readonly apiToken: string = OKTA_SANDBOX_TOKEN,
  ) {}

  /** Throws 401 E0000011 without valid credentials, 403 E0000006 when a token lacks every scope in `anyOf`. */
  authorize(request: Request, anyOf: readonly string[]): void {
    const header = request.headers.get('authorization') ?? '';
    const [scheme = '', credential = ''] = header.trim().split(/\s+/, 2);
    if (scheme.toUpperCase() === 'SSWS') {
      if (credential !== this.apiToken) throw invalidToken();
      return;
    }
    if (scheme.toLowerCase() !== 'bearer') throw invalidToken();
    const token = this.tokens.get(credential);
    if (!token || token.expiresAt <= Date.now()) throw invalidToken();
    if (!anyOf.some((scope) => token.scopes.has(scope))) {
      const error = accessDenied('The access token provided does not contain the required scopes.');
      error.headers['WWW-Authenticate'] =
        `Bearer authorization_uri="${this.baseUrl}/oauth2/v1/authorize", realm="${this.baseUrl}", ` +
        `scope="${anyOf.join(' ')}", error="insufficient_scope", ` +
        `error_description="The access token provided does not contain the required scopes.", resource="${new URL(request.url).pathname}"`;
      throw error;
    }
  }

  /** `POST /oauth2/v1/token`. OAuth errors use the OAuth body `{error, error_description}`, not Okta's. */
  async issueToken(request: Request): Promise<Reply> {
    const form = new URLSearchParams(await request.text());
    const fail = (status: number, error: string, description: string): Reply => ({
      status,
      body: { error, error_description: description },
    });
    if (form.get('grant_type') !== 'client_credentials') {
      return fail(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
      );
    }
    const assertion = form.get('client_assertion');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE || !assertion) {
      return fail(401, 'invalid_client', 'Client authentication failed: a client_assertion JWT is required.');
    }
    let clientId: string;
    try {
      const claims = decodeJwt(assertion);
      clientId = String(claims.iss ?? '');
      if (!clientId || claims.sub !== clientId) throw new Error('iss and sub must both be the client id');
    } catch (error) {
      return fail(
        401,
        'invalid_client',
        `The client_assertion token is invalid: ${(error as Error).message}`,
      );
    }
    const client = this.store.oauthClient(clientId);
    if (!client) return fail(401, 'invalid_client', 'The client_assertion token is invalid: unknown client.');
    const audience = `${this.baseUrl}/oauth2/v1/token`;
    try {
      if (client.publicKeys.length > 0) {
        await this.verifySignature(assertion, client.publicKeys, clientId, audience);
      } else {
        const claims = decodeJwt(assertion);
        const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
        if (!aud.includes(audience)) throw new Error(`aud must be ${audience}`);
        if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now())
          throw new Error('the token has expired');
      }
    } catch (error) {
      return fail(
        401,
        'invalid_client',
        `The client_assertion token is invalid: ${(error as Error).message}`,
      );
    }
    const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (requested.length === 0)
      return fail(400, 'invalid_scope', 'The authorization server requires a scope.');
    const missing = requested.filter((s) => !client.scopes.includes(s));
    if (missing.length > 0) {
      return fail(400, 'invalid_scope', `The following scopes are not allowed: ${missing.join(', ')}`);
    }
    const accessToken = `sbx.${oktaToken(0x0a17, ++this.issued, 40)}`;
    this.tokens.set(accessToken, {
      clientId,
      scopes: new Set(requested),
      expiresAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000,
    });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: TOKEN_LIFETIME_SECONDS,
        access_token: accessToken,
        scope: requested.join(' '),
      },
    };
  }

  /** Tries each registered key (by `kid` when the assertion names one). */
  private async verifySignature(
    assertion: string,
    keys: Record<string, unknown>[],
    clientId: string,
    audience: string,
  ): Promise<void> {
    const header = decodeProtectedHeader(assertion);
    const candidates = keys.filter((k) => !header.kid || !k.kid || k.kid === header.kid);
    let last: unknown = new Error('no registered key matches the assertion');
    for (const jwk of candidates) {
      try {
        const key = await importJWK(jwk as JWK, header.alg ?? (jwk.alg as string | undefined));
        await jwtVerify(assertion, key, { issuer: clientId, subject: clientId, audience });
        return;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}
