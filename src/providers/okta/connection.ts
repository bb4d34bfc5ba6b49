import { AccordError } from '../../errors.js';
import type { OktaConnection } from '../../policy/types.js';
import { requireSecureUrl } from '../http/secure-url.js';
import { registerSecrets } from '../../model/redact.js';

/**
 * Where the Okta org is and how to sign in, read from the environment variables the policy names
 * (`platforms.okta.connection`), never from the policy itself.
 */

export const OKTA_DEFAULT_VARIABLES: Required<OktaConnection> = {
  orgUrlEnv: 'OKTA_ORG_URL',
  tokenEnv: 'OKTA_API_TOKEN',
  clientIdEnv: 'OKTA_CLIENT_ID',
  privateKeyEnv: 'OKTA_PRIVATE_KEY',
  keyIdEnv: 'OKTA_KEY_ID',
  scopesEnv: 'OKTA_SCOPES',
};

export type OktaAuth =
  | { mode: 'SSWS'; token: string }
  | { mode: 'PrivateKey'; clientId: string; scopes: string[]; privateKey: string; keyId?: string };

export interface OktaConnectionSettings {
  orgUrl: URL;
  auth: OktaAuth;
  /** The variable names in effect, for error messages. */
  variables: Required<OktaConnection>;
  /** Which variables hold the credentials in use: what a 401 should point at. */
  credentialVariables: string[];
  /** Secret values, so error messages can be redacted against them. */
  secrets: string[];
}

export function resolveOktaVariables(connection: OktaConnection | undefined): Required<OktaConnection> {
  return { ...OKTA_DEFAULT_VARIABLES, ...stripUndefined(connection ?? {}) };
}

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const missing = (names: string[], hint: string) =>
  new AccordError(`okta: missing environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')}`, {
    code: 'connection.missing-variable',
    hint,
  });

export function readOktaConnection(
  connection: OktaConnection | undefined,
  env: NodeJS.ProcessEnv,
): OktaConnectionSettings {
  const variables = resolveOktaVariables(connection);
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const rawUrl = value(variables.orgUrlEnv);
  if (!rawUrl) throw missing([variables.orgUrlEnv], 'set it to the org address, e.g. https://acme.okta.com');
  const orgUrl = requireSecureUrl('okta', variables.orgUrlEnv, rawUrl);

  const token = value(variables.tokenEnv);
  // Whatever the policy names its variables, their values are redacted from every output.
  registerSecrets([token, value(variables.privateKeyEnv)]);
  if (token) {
    return {
      orgUrl,
      auth: { mode: 'SSWS', token },
      variables,
      credentialVariables: [variables.tokenEnv],
      secrets: [token],
    };
  }
  // No API token: OAuth 2.0 with a private key. The scopes are required rather than defaulted, since
  // asking for one the service app wasn't granted fails the whole token request.
  const clientId = value(variables.clientIdEnv);
  const privateKey = value(variables.privateKeyEnv);
  const scopes = (value(variables.scopesEnv) ?? '').split(/[\s,]+/).filter(Boolean);
  const absent = [
    ...(clientId ? [] : [variables.clientIdEnv]),
    ...(privateKey ? [] : [variables.privateKeyEnv]),
    ...(scopes.length ? [] : [variables.scopesEnv]),
  ];
  if (absent.length > 0) {
    // Someone who started on OAuth wants to hear what it still lacks; anyone else, about the token.
    const startedOAuth = clientId !== undefined || privateKey !== undefined;
    throw missing(
      startedOAuth ? absent : [variables.tokenEnv],
      `set ${variables.tokenEnv} (an SSWS API token), or ${variables.clientIdEnv}, ${variables.privateKeyEnv} and ${variables.scopesEnv} (an OAuth service app)`,
    );
  }
  const keyId = value(variables.keyIdEnv);
  return {
    orgUrl,
    auth: {
      mode: 'PrivateKey',
      clientId: clientId!,
      scopes,
      privateKey: privateKey!,
      ...(keyId ? { keyId } : {}),
    },
    variables,
    credentialVariables: [variables.clientIdEnv, variables.privateKeyEnv, variables.scopesEnv],
    secrets: [privateKey!],
  };
}
