/** The sandbox's public face: start one, read its stores and counters, inject faults. */
export {
  createSandbox,
  DEFAULT_PEOPLE,
  DEFAULT_SEED,
  mswBaseUrl,
  seedStores,
  startSandbox,
  type Sandbox,
  type SandboxOptions,
  type SandboxStores,
  type SandboxTransport,
} from './sandbox.js';
export {
  Instrument,
  type FaultConfig,
  type FaultKind,
  type RequestFilter,
  type RequestRecord,
  type TenantId,
} from './instrument.js';
export type { SandboxTenant } from './tenant.js';
export {
  generateCompany,
  type DemoCompany,
  type DemoOktaApp,
  type DemoOneLoginApp,
  type DemoPerson,
} from './company.js';
export { serveHttp, type HttpServer } from './serve-http.js';
export { readDataFile, writeDataFile, type SandboxDataFile } from './persist.js';
// For tests that build tenants of their own or edit them behind accord's back.
export { seedOkta } from './okta/index.js';
export { seedOneLogin } from './onelogin/index.js';
export { createRecord, seedSalesforce, updateRecord, UsernameRegistry } from './salesforce/index.js';
