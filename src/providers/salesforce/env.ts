import type { SalesforceConnection, SalesforceOrg } from '../../policy/types.js';

/**
 * The environment variables one org's connection is read from: the names policy gives in
 * `platforms.salesforce.<org>.connection`, else `SF_<ORG>_*` with the org key upper-cased and
 * anything but letters and digits turned into `_` (so `emea-2` reads `SF_EMEA_2_*`).
 */
export type SalesforceEnvNames = Required<SalesforceConnection>;

export function salesforceEnvNames(org: string, settings: SalesforceOrg | undefined): SalesforceEnvNames {
  const prefix = `SF_${org.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
  const c = settings?.connection ?? {};
  return {
    instanceUrlEnv: c.instanceUrlEnv ?? `${prefix}INSTANCE_URL`,
    accessTokenEnv: c.accessTokenEnv ?? `${prefix}ACCESS_TOKEN`,
    loginUrlEnv: c.loginUrlEnv ?? `${prefix}LOGIN_URL`,
    clientIdEnv: c.clientIdEnv ?? `${prefix}CLIENT_ID`,
    usernameEnv: c.usernameEnv ?? `${prefix}USERNAME`,
    privateKeyEnv: c.privateKeyEnv ?? `${prefix}PRIVATE_KEY`,
    clientSecretEnv: c.clientSecretEnv ?? `${prefix}CLIENT_SECRET`,
  };
}

export const DEFAULT_API_VERSION = '62.0';
export const DEFAULT_API_RESERVE = 1000;
