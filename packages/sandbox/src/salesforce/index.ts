/**
 * The Salesforce emulator: in-memory orgs and the msw handlers that serve them, faithful enough
 * for jsforce 3 and plain REST clients. Choices on behaviour the API reference marks UNCONFIRMED
 * are noted where they are made (grep for UNCONFIRMED).
 */
export {
  SalesforceStore,
  sfDateTime,
  type Row,
  type SalesforceStoreData,
  type SalesforceStoreOptions,
} from './store.js';
export { UsernameRegistry } from './registry.js';
export { seedSalesforce } from './seed.js';
export { salesforceTenant } from './tenant.js';
export { createRecord, updateRecord, deleteRecord } from './operations.js';
export { RecordError, RequestError } from './errors.js';
export { OBJECTS, objectNamed, type SfObject, type SfField } from './schema.js';
export { KEY_PREFIX, makeId, normalizeId } from './ids.js';
