import type { ProviderFactory } from '../provider.js';
import { readOktaConnection } from './connection.js';
import { OktaProvider, type OktaProviderOptions } from './provider.js';

export { OktaProvider, type OktaProviderOptions } from './provider.js';
export { readOktaConnection, OKTA_DEFAULT_VARIABLES, type OktaConnectionSettings } from './connection.js';
export { bucketOf, type OktaBucket } from './rate-buckets.js';

/** Builds the Okta factory; tests pass options (a fast sleep) through it. */
export function createOktaFactory(options: OktaProviderOptions = {}): ProviderFactory {
  return {
    platform: 'okta',
    create({ platforms, env, events }) {
      const okta = platforms.okta;
      if (!okta) return [];
      return [
        new OktaProvider(readOktaConnection(okta.connection, env), { ...options, ...(events && { events }) }),
      ];
    },
  };
}

export const oktaFactory: ProviderFactory = createOktaFactory();
