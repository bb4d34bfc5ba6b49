/**
 * The OneLogin (API v2) emulator: an in-memory account (`OneLoginStore`), its seed from the demo
 * company, and msw handlers for the token, users, roles, role-users, apps and app-users endpoints.
 */
export { OneLoginStore, API_ACTOR, FIRST_APP_ID, TOKEN_LIFETIME_SECONDS } from './store.js';
export type {
  AppInput,
  OneLoginStoreData,
  OneLoginStoreOptions,
  UserInput,
  RoleInput,
  IssuedToken,
} from './store.js';
export type { OneLoginAppData } from './apps.js';
export { OneLoginDeviceBook, FIRST_DEVICE_ID, deviceBody, seedDevices } from './devices.js';
export type { OneLoginDeviceRecord, OneLoginFactorName } from './devices.js';
export { seedOneLogin, ONELOGIN_STATUS_OF, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from './seed.js';
export { oneloginTenant, type OneLoginTenantOptions } from './tenant.js';
export { OneLoginApiError, type OneLoginErrorBody, type OneLoginErrorName } from './errors.js';
export { DEFAULT_RATE_LIMIT_PER_HOUR, RateLimiter, type RateLimitSnapshot } from './rate-limit.js';
export { USER_PAGING } from './handlers/users.js';
export { ROLE_PAGING, ROLE_USER_PAGING } from './handlers/roles.js';
export { APP_PAGING, APP_USER_PAGING } from './handlers/apps.js';
export { EVENTS_MAX_LIMIT } from './handlers/events.js';
export { EVENT_TYPES, FIRST_EVENT_ID, OneLoginEventLog, eventTypeRows } from './events.js';
export type { EventTypeName, NewEvent, OneLoginEvent } from './events.js';
export {
  USER_STATES,
  USER_STATUSES,
  UserStateCode,
  UserStatusCode,
  type OneLoginUser,
  type OneLoginApp,
  type OneLoginAppUser,
  type OneLoginRole,
  type OneLoginRoleUser,
  type RoleMembership,
  type AddedBy,
  type UserState,
  type UserStatus,
} from './types.js';
