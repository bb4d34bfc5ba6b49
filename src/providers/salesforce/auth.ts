import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { Connection } from 'jsforce';
import { AccordError, isAccordError } from '../../errors.js';
import { connectionError, redact } from '../http/connection-error.js';
import { registerSecrets } from '../../model/redact.js';
import { withRetry, type RetryOptions } from '../http/retry.js';
import { baseUrl, requireSecureUrl } from '../http/secure-url.js';
import type { SalesforceEnvNames } from './env.js';
import { classifySalesforceError } from './errors.js';

/**
 * Connects to one org with the first credentials the environment holds, in the order policy
 * documents: an access token, the JWT bearer flow, then client credentials.
 */

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
/** Salesforce accepts assertions that expire within 3 minutes. */
const ASSERTION_LIFETIME_S = 180;

export type AuthMethod = 'access-token' | 'jwt-bearer' | 'client-credentials';

export interface Authenticated {
  conn: Connection;
  method: AuthMethod;
  /** Variables this connection came from, named in connection errors. */
  variables: string[];
  /** Values never to print. */
  secrets: string[];
  /** Where the data calls go. */
  instanceUrl: string;
}

export interface AuthOptions {
  platform: string;
  names: SalesforceEnvNames;
  env: NodeJS.ProcessEnv;
  version: string;
  retry: Omit<RetryOptions, 'platform'>;
  now?: () => number;
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

function missing(platform: string, method: string, variables: string[]): AccordError {
  return new AccordError(
    `${platform}: ${method} needs ${variables.join(', ')}, which ${variables.length > 1 ? 'are' : 'is'} not set`,
    {
      code: 'connection.missing-variable',
      hint: 'set the variables in the environment (or name others in platforms.salesforce.<org>.connection)',
    },
  );
}

/** PEM (PKCS#8 or PKCS#1) or a JWK; CI secrets often carry the PEM with literal `\n`. */
function privateKeyOf(platform: string, variable: string, text: string): KeyObject {
  const value = text.includes('\\n') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text;
  try {
    return value.trim().startsWith('{')
      ? createPrivateKey({ key: JSON.parse(value) as JsonWebKey, format: 'jwk' })
      : createPrivateKey(value);
  } catch {
    throw new AccordError(`${platform}: ${variable} is not a PEM or JWK private key`, {
      code: 'connection.bad-key',
      hint: 'use the PEM of the key whose certificate is uploaded to the connected app',
    });
  }
}

export async function jwtAssertion(
  key: KeyObject,
  claims: { clientId: string; username: string; audience: string },
  now: () => number = Date.now,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(claims.clientId)
    .setSubject(claims.username)
    .setAudience(claims.audience)
    .setExpirationTime(Math.floor(now() / 1000) + ASSERTION_LIFETIME_S)
    .sign(key);
}

/** OAuth errors from jsforce have the OAuth `error` as name and `error_description` as message. */
function isOAuthRefusal(error: unknown): error is Error {
  return error instanceof Error && /^(invalid_|unsupported_|unauthorized_|ERROR_HTTP_4)/.test(error.name);
}

export async function authenticate(options: AuthOptions): Promise<Authenticated> {
  const { platform, names, env, version } = options;
  const get = (name: string) => env[name];
  const instanceUrl = get(names.instanceUrlEnv);
  const accessToken = get(names.accessTokenEnv);
  const clientId = get(names.clientIdEnv);
  const username = get(names.usernameEnv);
  const privateKey = get(names.privateKeyEnv);
  const clientSecret = get(names.clientSecretEnv);

  // Whatever the policy names its variables, their values are redacted from every output.
  registerSecrets([accessToken, privateKey, clientSecret]);
  if (present(accessToken)) {
    if (!present(instanceUrl)) throw missing(platform, 'an access token', [names.instanceUrlEnv]);
    const url = baseUrl(requireSecureUrl(platform, names.instanceUrlEnv, instanceUrl));
    return {
      conn: new Connection({ instanceUrl: url, accessToken, version }),
      method: 'access-token',
      variables: [names.instanceUrlEnv, names.accessTokenEnv],
      secrets: [accessToken],
      instanceUrl: url,
    };
  }

  const oauth = async (
    method: AuthMethod,
    variables: string[],
    secrets: string[],
    loginUrl: string,
    grant: () => Promise<{ grant_type: string; [name: string]: string }>,
    oauth2?: { clientId: string; clientSecret: string },
  ): Promise<Authenticated> => {
    const login = baseUrl(requireSecureUrl(platform, variables[0]!, loginUrl));
    const context = { url: login, secrets };
    // Token calls are POSTs, which jsforce never retries; asking again for a token is harmless.
    const authorize = async (conn: Connection) => {
      try {
        await withRetry(async () => conn.authorize(await grant()), classifySalesforceError, {
          ...options.retry,
          platform,
        });
        // A token obtained at run time is as secret as the key that obtained it.
        registerSecrets([conn.accessToken ?? undefined]);
      } catch (error) {
        if (isAccordError(error)) throw error;
        if (isOAuthRefusal(error))
          throw new AccordError(
            redact(
              `${platform}: ${method} login refused (${error.name}: ${error.message.split('\n', 1)[0]}); check ${variables.join(', ')}`,
              secrets,
            ),
            { code: 'connection.auth' },
          );
        throw connectionError(platform, variables, error, context);
      }
    };
    const conn = new Connection({
      loginUrl: login,
      version,
      ...(oauth2 ? { oauth2: { ...oauth2, loginUrl: login } } : {}),
      // Tokens from these flows expire and come without a refresh token: get a new one on a 401.
      refreshFn: (c, callback) => {
        authorize(c).then(
          () => callback(null, c.accessToken ?? undefined),
          (error: unknown) => callback(error as Error),
        );
      },
    });
    await authorize(conn);
    const instance = baseUrl(requireSecureUrl(platform, variables[0]!, conn.instanceUrl));
    return { conn, method, variables, secrets: [...secrets, conn.accessToken ?? ''], instanceUrl: instance };
  };

  const loginEnv = present(get(names.loginUrlEnv)) ? names.loginUrlEnv : names.instanceUrlEnv;
  if (present(privateKey)) {
    const needed = [names.clientIdEnv, names.usernameEnv].filter((n) => !present(get(n)));
    if (needed.length > 0) throw missing(platform, 'the JWT bearer flow', needed);
    // login.salesforce.com is the documented audience when no login URL is given.
    const loginUrl = get(names.loginUrlEnv) ?? DEFAULT_LOGIN_URL;
    const key = privateKeyOf(platform, names.privateKeyEnv, privateKey);
    return oauth(
      'jwt-bearer',
      [names.loginUrlEnv, names.clientIdEnv, names.usernameEnv, names.privateKeyEnv],
      [privateKey],
      loginUrl,
      async () => ({
        grant_type: JWT_BEARER,
        assertion: await jwtAssertion(
          key,
          { clientId: clientId!, username: username!, audience: loginUrl },
          options.now,
        ),
      }),
    );
  }
  if (present(clientSecret)) {
    // The client credentials flow only works against the org's My Domain, never login.salesforce.com.
    const needed = [names.clientIdEnv, ...(present(get(loginEnv)) ? [] : [names.loginUrlEnv])].filter(
      (n) => !present(get(n)),
    );
    if (needed.length > 0) throw missing(platform, 'the client credentials flow', needed);
    return oauth(
      'client-credentials',
      [loginEnv, names.clientIdEnv, names.clientSecretEnv],
      [clientSecret],
      get(loginEnv)!,
      async () => ({ grant_type: 'client_credentials' }),
      { clientId: clientId!, clientSecret },
    );
  }
  throw new AccordError(
    `${platform}: no credentials: set ${names.instanceUrlEnv} and ${names.accessTokenEnv}, or ${names.clientIdEnv}, ${names.usernameEnv} and ${names.privateKeyEnv} (JWT bearer), or ${names.clientIdEnv} and ${names.clientSecretEnv} (client credentials)`,
    { code: 'connection.missing-variable' },
  );
}
