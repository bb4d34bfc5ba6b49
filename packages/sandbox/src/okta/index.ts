/** The emulated Okta org: store, seed and msw handlers (see reference section 1 and the checklist). */
export { OktaStore, ALL_SCOPES, APP_SEQ_BASE, lifecycleOperationsFrom } from './store.js';
export type { AppAssignment, NewApp } from './apps.js';
export {
  APPS_DEFAULT_LIMIT,
  APPS_MAX_LIMIT,
  APP_USERS_DEFAULT_LIMIT,
  APP_USERS_MAX_LIMIT,
} from './handlers/apps.js';
export type { LifecycleOperation, NewGroup, NewUser } from './store.js';
export type {
  OktaAppData,
  OktaAppGroupGrant,
  OktaAppRecord,
  OktaAppStatus,
  OktaAppUserGrant,
  OktaGroupProfile,
  OktaGroupRecord,
  OktaGroupType,
  OktaOAuthClient,
  OktaStoreData,
  OktaStoreSettings,
  OktaUserProfile,
  OktaUserRecord,
  OktaUserStatus,
} from './types.js';
export { OKTA_USER_STATUSES } from './types.js';
export { OktaSystemLog, API_ACTOR as OKTA_API_ACTOR } from './system-log.js';
export type { NewLogEvent, OktaLogEvent, OktaLogOutcome } from './system-log.js';
export { LOGS_DEFAULT_LIMIT, LOGS_MAX_LIMIT } from './handlers/logs.js';
export { seedOkta, OKTA_SANDBOX_CLIENT_ID } from './seed.js';
export { OktaFactorBook } from './factors.js';
export type { OktaFactorRecord, OktaFactorStatus, OktaFactorType } from './factors.js';
export { oktaTenant } from './tenant.js';
export type { OktaSandboxTenant, OktaTenantOptions } from './tenant.js';
export { OKTA_SANDBOX_TOKEN } from './auth.js';
export { DEFAULT_RATE_LIMITS, RateLimiter } from './rate-limit.js';
export type { OktaBucket, RateLimitOptions } from './rate-limit.js';
export { OktaError } from './errors.js';
export type { OktaErrorBody } from './errors.js';
