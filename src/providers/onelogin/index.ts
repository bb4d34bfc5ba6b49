import type { ProviderFactory } from '../provider.js';
import { OneLoginProvider } from './provider.js';

/** The OneLogin account, when the policy declares `platforms.onelogin`. */
export const oneloginFactory: ProviderFactory = {
  platform: 'onelogin',
  create: ({ platforms, env, events }) => {
    const platform = platforms.onelogin;
    if (!platform) return [];
    return [
      new OneLoginProvider({
        env,
        ...(platform.connection && { connection: platform.connection }),
        ...(events && { events }),
      }),
    ];
  },
};

export { OneLoginProvider, type OneLoginProviderOptions } from './provider.js';
export {
  OneLoginClient,
  OneLoginHttpError,
  connectionVariables,
  USER_PAGE_SIZE,
  ROLE_PAGE_SIZE,
  ROLE_USER_PAGE_SIZE,
  type ClientTiming,
  type ConnectionVariables,
} from './client.js';
export { MEMBERSHIP_BATCH } from './memberships.js';
export { accountStatus } from './status.js';
