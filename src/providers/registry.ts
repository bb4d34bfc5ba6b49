import { oktaFactory } from './okta/index.js';
import { oneloginFactory } from './onelogin/index.js';
import type { Provider, ProviderConfig, ProviderFactory } from './provider.js';
import { salesforceFactory } from './salesforce/index.js';

/** Every platform accord knows. Adding one is a new folder under providers/ and one line here. */
export const factories: ProviderFactory[] = [oktaFactory, oneloginFactory, salesforceFactory];

/**
 * The providers this policy needs: Okta and OneLogin when declared, one Salesforce provider per
 * org. Each factory returns none for a platform the policy does not declare.
 */
export function createProviders(config: ProviderConfig): Provider[] {
  return factories.flatMap((factory) => factory.create(config));
}
