import type { HttpHandler } from 'msw';
import { SandboxError } from './sandbox-error.js';
import { generateCompany, type DemoCompany } from './company.js';
import { Instrument, type FaultConfig, type RequestRecord, type TenantId } from './instrument.js';
import { oktaTenant, OktaStore, seedOkta } from './okta/index.js';
import { oneloginTenant, OneLoginStore, seedOneLogin } from './onelogin/index.js';
import { DataFilePersister, DATA_FORMAT_VERSION, readDataFile, type SandboxDataFile } from './persist.js';
import { salesforceTenant, SalesforceStore, seedSalesforce, UsernameRegistry } from './salesforce/index.js';
import { serveHttp, type HttpServer } from './serve-http.js';
import type { SandboxTenant } from './tenant.js';

/**
 * The whole sandbox: the demo company seeded into the Okta org, the OneLogin account and the
 * Salesforce orgs, with one shared instrument, served either through msw (tests call
 * `setupServer(...sandbox.handlers)`) or on loopback HTTP servers (`accord sandbox`).
 */

export type SandboxTransport = 'loopback' | 'msw';

export interface SandboxOptions {
  /** About how many people the demo company has. @default 300 */
  people?: number;
  /** Seed of the demo company (and of the fault pattern unless `faultSeed` is given). @default 42 */
  seed?: number;
  /**
   * Persist the tenants here: loaded when the file exists (instead of seeding), saved shortly after
   * writes and on close. Loopback and msw transports alike.
   */
  dataFile?: string;
  /**
   * First port of the loopback servers; the tenants take consecutive ports from it (okta,
   * onelogin, salesforce:prod, salesforce:emea). 0 or undefined: free ephemeral ports.
   */
  port?: number;
  /** @default 'loopback' */
  transport?: SandboxTransport;
  /** Faults per tenant id, `'salesforce:*'` or `'*'` (see Instrument.setFaults). */
  faults?: Record<string, FaultConfig>;
  faultSeed?: number;
  /** Delay between a write and the save it triggers. @default 1000 */
  saveDebounceMs?: number;
  /** Where a failed background save is reported. @default stderr */
  onSaveError?: (error: unknown) => void;
}

export interface SandboxStores {
  okta: OktaStore;
  onelogin: OneLoginStore;
  /** By org key ('prod', 'emea'). */
  salesforce: Record<string, SalesforceStore>;
}

export interface Sandbox {
  /**
   * The demo company the tenants were seeded from. When the tenants come from a data file this is
   * the company as first seeded (regenerated from the file's seed on first access), not their
   * current state: read the stores for that.
   */
  readonly company: DemoCompany;
  readonly seed: number;
  readonly people: number;
  readonly transport: SandboxTransport;
  /** True when the stores were loaded from `dataFile` rather than seeded. */
  readonly loadedFromFile: boolean;
  readonly stores: SandboxStores;
  readonly instrument: Instrument;
  readonly tenants: SandboxTenant[];
  /** Base URL per tenant id. */
  readonly urls: Record<TenantId, string>;
  /** Every tenant's env merged: what points accord (or any client) at this sandbox. */
  readonly env: Record<string, string>;
  /** Every tenant's handlers, for msw's `setupServer`. */
  readonly handlers: HttpHandler[];
  /** Saves to `dataFile` now (no-op without one). */
  save(): Promise<void>;
  /** Stops the loopback servers and saves to `dataFile`. Safe to call more than once. */
  close(): Promise<void>;
}

import { DEFAULT_PEOPLE, DEFAULT_SEED } from './defaults.js';

export { DEFAULT_PEOPLE, DEFAULT_SEED };

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An Instrument that also says when a request may have changed a store (to schedule a save). */
class SandboxInstrument extends Instrument {
  onWrite: (() => void) | undefined;

  override record(entry: Omit<RequestRecord, 'seq'>): void {
    super.record(entry);
    if (this.onWrite && entry.fault === undefined && !READ_METHODS.has(entry.method)) this.onWrite();
  }
}

/** Base URLs of the msw transport: `.test` hosts, which never resolve, so nothing leaks out. */
export function mswBaseUrl(tenant: TenantId): string {
  if (tenant === 'okta') return 'https://acme.okta.test';
  if (tenant === 'onelogin') return 'https://globex.onelogin.test';
  const org = tenant.replace(/^salesforce:/, '');
  return `https://acme-${org}.my.salesforce.test`;
}

export function seedStores(company: DemoCompany): SandboxStores {
  return {
    okta: seedOkta(company),
    onelogin: seedOneLogin(company),
    salesforce: seedSalesforce(company, new UsernameRegistry()),
  };
}

export function storesFromData(data: SandboxDataFile): SandboxStores {
  // One registry across orgs: Salesforce usernames are unique across every sandbox org.
  const registry = new UsernameRegistry();
  const salesforce: Record<string, SalesforceStore> = {};
  for (const [org, value] of Object.entries(data.salesforce)) {
    salesforce[org] = SalesforceStore.fromJSON(
      value as Parameters<typeof SalesforceStore.fromJSON>[0],
      registry,
    );
  }
  return {
    okta: OktaStore.fromJSON(data.okta as Parameters<typeof OktaStore.fromJSON>[0]),
    onelogin: OneLoginStore.fromJSON(data.onelogin as Parameters<typeof OneLoginStore.fromJSON>[0]),
    salesforce,
  };
}

export function storesToData(stores: SandboxStores, seed: number, people: number): SandboxDataFile {
  return {
    formatVersion: DATA_FORMAT_VERSION,
    seed,
    people,
    okta: stores.okta.toJSON(),
    onelogin: stores.onelogin.toJSON(),
    salesforce: Object.fromEntries(Object.entries(stores.salesforce).map(([org, s]) => [org, s.toJSON()])),
  };
}

/** Tenant ids in port order. */
function tenantIds(stores: SandboxStores): TenantId[] {
  return ['okta', 'onelogin', ...Object.keys(stores.salesforce).map((org) => `salesforce:${org}`)];
}

function buildTenant(
  id: TenantId,
  stores: SandboxStores,
  baseUrl: string,
  instrument: Instrument,
): SandboxTenant {
  if (id === 'okta') return oktaTenant(stores.okta, baseUrl, instrument);
  if (id === 'onelogin') return oneloginTenant(stores.onelogin, baseUrl, instrument);
  const store = stores.salesforce[id.replace(/^salesforce:/, '')];
  if (!store) throw new Error(`no Salesforce store for tenant ${id}`);
  return salesforceTenant(store, baseUrl, instrument);
}

interface Prepared {
  seed: number;
  people: number;
  stores: SandboxStores;
  company: () => DemoCompany;
  loadedFromFile: boolean;
  instrument: SandboxInstrument;
}

function prepare(options: SandboxOptions, data: SandboxDataFile | undefined): Prepared {
  const seed = data?.seed ?? options.seed ?? DEFAULT_SEED;
  const people = data?.people ?? options.people ?? DEFAULT_PEOPLE;
  let company: DemoCompany | undefined;
  const getCompany = () => (company ??= generateCompany({ people, seed }));
  let stores: SandboxStores;
  if (data) {
    stores = storesFromData(data);
  } else {
    stores = seedStores(getCompany());
  }
  const instrument = new SandboxInstrument(options.faultSeed ?? seed);
  for (const [tenant, config] of Object.entries(options.faults ?? {})) instrument.setFaults(tenant, config);
  return { seed, people, stores, company: getCompany, loadedFromFile: data !== undefined, instrument };
}

function assemble(
  prepared: Prepared,
  transport: SandboxTransport,
  tenants: SandboxTenant[],
  urls: Record<TenantId, string>,
  options: SandboxOptions,
  stopServers: () => Promise<void>,
): Sandbox {
  const { stores, instrument, seed, people } = prepared;
  const persister = options.dataFile
    ? new DataFilePersister(options.dataFile, () => storesToData(stores, seed, people), {
        debounceMs: options.saveDebounceMs ?? 1000,
        onError:
          options.onSaveError ??
          ((error: unknown) =>
            process.stderr.write(`sandbox: saving ${options.dataFile} failed: ${String(error)}\n`)),
      })
    : undefined;
  if (persister) instrument.onWrite = () => persister.schedule();
  let closing: Promise<void> | undefined;
  return {
    get company() {
      return prepared.company();
    },
    seed,
    people,
    transport,
    loadedFromFile: prepared.loadedFromFile,
    stores,
    instrument,
    tenants,
    urls,
    env: tenants.reduce((all, t) => Object.assign(all, t.env), {}) as Record<string, string>,
    handlers: tenants.flatMap((t) => t.handlers),
    save: async () => {
      await persister?.flush();
    },
    close: () =>
      (closing ??= (async () => {
        instrument.onWrite = undefined;
        await stopServers();
        await persister?.flush();
      })()),
  };
}

/**
 * Starts a sandbox. With a `dataFile` that exists, the tenants are loaded from it and `people` and
 * `seed` are ignored; otherwise they are seeded (and the file written at once, so it exists
 * from the start).
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const transport = options.transport ?? 'loopback';
  const data = options.dataFile ? await readDataFile(options.dataFile) : undefined;
  const prepared = prepare(options, data);
  const ids = tenantIds(prepared.stores);

  let sandbox: Sandbox;
  if (transport === 'msw') {
    const tenants = ids.map((id) => buildTenant(id, prepared.stores, mswBaseUrl(id), prepared.instrument));
    const urls = Object.fromEntries(ids.map((id) => [id, mswBaseUrl(id)]));
    sandbox = assemble(prepared, transport, tenants, urls, options, async () => undefined);
  } else {
    const servers: HttpServer[] = [];
    const tenants: SandboxTenant[] = [];
    const stop = () => Promise.all(servers.map((s) => s.close())).then(() => undefined);
    try {
      for (const [i, id] of ids.entries()) {
        const port = options.port ? options.port + i : 0;
        let tenant: SandboxTenant | undefined;
        const server = await serveHttp({
          port,
          handlers: (baseUrl) => {
            tenant = buildTenant(id, prepared.stores, baseUrl, prepared.instrument);
            return tenant.handlers;
          },
        }).catch((error: unknown) => {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE' || code === 'EACCES') {
            throw new SandboxError(
              `cannot serve ${id} on 127.0.0.1:${port}: ${code}`,
              'pass another --port (the sandbox takes 4 consecutive ports), or --port 0 for free ones',
            );
          }
          throw error;
        });
        servers.push(server);
        tenants.push(tenant!);
      }
    } catch (error) {
      await stop();
      throw error;
    }
    const urls = Object.fromEntries(ids.map((id, i) => [id, servers[i]!.url]));
    sandbox = assemble(prepared, transport, tenants, urls, options, stop);
  }
  if (options.dataFile && !data) await sandbox.save();
  return sandbox;
}

/**
 * A sandbox for msw's `setupServer`, synchronously (no data file, no servers): the usual start of
 * a provider test.
 */
export function createSandbox(
  options: Omit<SandboxOptions, 'dataFile' | 'port' | 'transport' | 'saveDebounceMs' | 'onSaveError'> = {},
): Sandbox {
  const prepared = prepare(options, undefined);
  const ids = tenantIds(prepared.stores);
  const tenants = ids.map((id) => buildTenant(id, prepared.stores, mswBaseUrl(id), prepared.instrument));
  const urls = Object.fromEntries(ids.map((id) => [id, mswBaseUrl(id)]));
  return assemble(prepared, 'msw', tenants, urls, options, async () => undefined);
}
