import type { ProviderFactory } from '../provider.js';
import { SalesforceProvider, type SalesforceProviderOptions } from './provider.js';

/** The Salesforce platform: one provider per org the policy declares. */

export function createSalesforceProviders(
  config: Parameters<ProviderFactory['create']>[0],
  options?: SalesforceProviderOptions,
): SalesforceProvider[] {
  const events = options?.events ?? config.events;
  return Object.entries(config.platforms.salesforce ?? {}).map(
    ([org, settings]) =>
      new SalesforceProvider(
        org,
        { settings, env: config.env },
        { ...options, ...(events ? { events } : {}) },
      ),
  );
}

export const salesforceFactory: ProviderFactory = {
  platform: 'salesforce',
  create: (config) => createSalesforceProviders(config),
};

export { SalesforceProvider, type SalesforceProviderOptions } from './provider.js';
export { salesforceEnvNames, DEFAULT_API_RESERVE, DEFAULT_API_VERSION } from './env.js';
export { DEFAULT_BULK_THRESHOLD, OPEN_RECORDS } from './transfer.js';
export { SNAPSHOT_QUERIES } from './snapshot.js';
