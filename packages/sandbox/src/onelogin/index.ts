/**
 * The OneLogin (API v2) emulator: an in-memory account (`OneLoginStore`), its seed from the demo
 * company, and msw handlers for the token, users, roles and role-users endpoints.
 */
export { OneLoginStore, API_ACTOR, TOKEN_LIFETIME_SECONDS } from './store.js';
export type { OneLoginStoreData, OneLoginStoreOptions, UserInput, RoleInput, IssuedToken } from './store.js';
export { seedOneLogin, ONELOGIN_STATUS_OF, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './seed.js';
export { oneloginTenant, type OneLoginTenantOptions } from './tenant.js';
export { OneLoginApiError, type OneLoginErrorBody, type OneLoginErrorName } from './errors.js';
export { DEFAULT_RATE_LIMIT_PER_HOUR, RateLimiter, type RateLimitSnapshot } from './rate-limit.js';
export { USER_PAGING } from './handlers/users.js';
export { ROLE_PAGING, ROLE_USER_PAGING } from './handlers/roles.js';
export {
  USER_STATES,
  USER_STATUSES,
  UserStateCode,
  UserStatusCode,
  type OneLoginUser,
  type OneLoginRole,
  type OneLoginRoleUser,
  type RoleMembership,
  type AddedBy,
  type UserState,
  type UserStatus,
} from './types.js';
