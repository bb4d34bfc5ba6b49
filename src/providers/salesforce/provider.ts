import type { Change, ChangeAction, ChangeKind, ChangeResult } from '../../model/change.js';
import {
  salesforcePlatform,
  type PlatformId,
  type SalesforceSnapshot,
  type SnapshotScope,
} from '../../model/snapshot.js';
import type { SalesforceOrg } from '../../policy/types.js';
import type { ApplyContext, Progress, Provider, ProviderEvents } from '../provider.js';
import type { RetryOptions } from '../http/retry.js';
import { reportingRetries } from '../http/events.js';
import { grantAssignments, revokeAssignments } from './assignments.js';
import { authenticate } from './auth.js';
import { Catalogue } from './catalogue.js';
import { AccountDirectory, createCrmAccounts, upsertContacts } from './contacts.js';
import { ABORTED, COLLECTION_SIZE, saveInChunks, type Outcome } from './collections.js';
import { DEFAULT_API_RESERVE, DEFAULT_API_VERSION, salesforceEnvNames } from './env.js';
import { Session, type TransportRetry } from './session.js';
import { parseBase } from './incremental.js';
import { readSalesforce, type SalesforceRead } from './snapshot.js';
import { DEFAULT_BULK_THRESHOLD, transferRecords } from './transfer.js';
import { createUsers, freezeUsers, updateUsers, type Outcomes, type Writer } from './users.js';

/**
 * One Salesforce org through jsforce 3. It connects on first use, reads snapshots by SOQL and
 * applies changes through sObject Collections (Bulk API 2.0 for large ownership transfers).
 * Run-stopping failures (daily limit reserve, credentials, unreachable org) are thrown as
 * AccordErrors; everything else is reported on the change it concerns.
 */

export interface SalesforceProviderOptions {
  /** Open records above which a transfer uses Bulk API 2.0. @default 2000 */
  transferBulkThreshold?: number;
  /** accord's retries (POST/PATCH writes, resets jsforce does not retry). */
  retry?: Omit<RetryOptions, 'platform'>;
  /** jsforce's own retries of GET, PUT and DELETE (jsforce waits 500 ms, doubling, by default). */
  transportRetry?: TransportRetry;
  /** @default 1000 */
  bulkPollIntervalMs?: number;
  /** @default 600000 */
  bulkPollTimeoutMs?: number;
  /** Clock for the JWT assertion's expiry. */
  now?: () => number;
  /** The run's sink for waits and requests. */
  events?: ProviderEvents;
}

type Handler = (writer: Writer, changes: Change[]) => Promise<Outcomes>;

const userFields = (change: Change) =>
  change.after && typeof change.after === 'object' && !Array.isArray(change.after)
    ? (change.after as Record<string, unknown>)
    : undefined;

/** Handlers in the order a mixed batch is applied: users exist before they are granted anything. */
const HANDLERS: [ChangeKind, ChangeAction, Handler][] = [
  ['crmAccount', 'create', (w, c) => createCrmAccounts(w, c, w.accounts!)],
  ['account', 'create', createUsers],
  ['account', 'update', (w, c) => updateUsers(w, c, userFields)],
  ['account', 'activate', (w, c) => updateUsers(w, c, () => ({ IsActive: true }))],
  ['permissionSet', 'grant', (w, c) => grantAssignments(w, 'permissionSet', c)],
  ['permissionSetGroup', 'grant', (w, c) => grantAssignments(w, 'permissionSetGroup', c)],
  ['permissionSet', 'revoke', (w, c) => revokeAssignments(w, 'permissionSet', c)],
  ['permissionSetGroup', 'revoke', (w, c) => revokeAssignments(w, 'permissionSetGroup', c)],
  ['account', 'freeze', freezeUsers],
  // transfers run here, between freezing and deactivating (see apply)
  ['account', 'deactivate', (w, c) => updateUsers(w, c, () => ({ IsActive: false }))],
  ...(['create', 'update', 'activate', 'deactivate'] as const).map(
    (action): [ChangeKind, ChangeAction, Handler] => [
      'contact',
      action,
      (w, c) => upsertContacts(w, c, w.accounts!),
    ],
  ),
];

export class SalesforceProvider implements Provider<SalesforceSnapshot> {
  readonly id: PlatformId;
  private session: Promise<Session> | undefined;
  private lastSnapshot: SalesforceSnapshot | undefined;
  private catalogue: Catalogue | undefined;
  private accounts: AccountDirectory | undefined;

  /**
   * The org this provider reads, for the snapshot cache's key: the org key and the non-secret
   * connection values (instance URL, login URL, username); never a token or a key.
   */
  readonly cacheIdentity: string;

  constructor(
    readonly org: string,
    private readonly config: { settings: SalesforceOrg; env: NodeJS.ProcessEnv },
    private readonly options: SalesforceProviderOptions = {},
  ) {
    this.id = salesforcePlatform(org);
    const names = salesforceEnvNames(org, config.settings);
    const env = config.env;
    this.cacheIdentity = JSON.stringify([
      org,
      env[names.instanceUrlEnv] ?? '',
      env[names.loginUrlEnv] ?? '',
      env[names.usernameEnv] ?? '',
    ]);
  }

  private connect(): Promise<Session> {
    if (!this.session) {
      const { settings } = this.config;
      const own = this.options.retry ?? {};
      const onRetry = reportingRetries(this.id, this.options.events, own.onRetry);
      const retry = { ...own, ...(onRetry ? { onRetry } : {}) };
      this.session = authenticate({
        platform: this.id,
        names: salesforceEnvNames(this.org, settings),
        env: this.config.env,
        version: settings?.apiVersion ?? DEFAULT_API_VERSION,
        retry,
        now: this.options.now,
      }).then(
        (auth) =>
          new Session(
            this.id,
            auth,
            settings?.apiReserve ?? DEFAULT_API_RESERVE,
            retry,
            this.options.transportRetry,
            this.options.events,
          ),
      );
      // A failed connection is tried again on the next call rather than remembered.
      this.session.catch(() => (this.session = undefined));
    }
    return this.session;
  }

  async snapshot(scope: SnapshotScope, progress?: Progress): Promise<SalesforceSnapshot> {
    return (await this.read(scope, progress, undefined)).snapshot;
  }

  /**
   * A snapshot built on what an earlier one left (`base`, from the snapshot cache; see
   * incremental.ts); anything it cannot trust reads everything. `read.base` is for the next one.
   */
  async snapshotIncremental(
    scope: SnapshotScope,
    progress: Progress | undefined,
    base: unknown,
  ): Promise<SalesforceRead> {
    // A login moves LastLoginDate without moving SystemModstamp (UNCONFIRMED either way, so the
    // safe reading): a policy that judges inactivity on it reads users in full every time.
    if (base !== undefined && scope.salesforceFields.includes('LastLoginDate'))
      return {
        ...(await this.read(scope, progress, undefined)),
        fallback: 'the policy judges inactivity on LastLoginDate, which SystemModstamp does not follow',
      };
    const parsed = base === undefined ? undefined : parseBase(base);
    const read = await this.read(scope, progress, parsed);
    return base !== undefined && !parsed
      ? { ...read, fallback: 'the cached Salesforce read is malformed' }
      : read;
  }

  private async read(
    scope: SnapshotScope,
    progress: Progress | undefined,
    base: ReturnType<typeof parseBase>,
  ): Promise<SalesforceRead> {
    const session = await this.connect();
    const read = await readSalesforce(session, this.org, scope, progress, base);
    this.lastSnapshot = read.snapshot;
    this.catalogue = new Catalogue(session, read.snapshot);
    this.accounts = new AccountDirectory(read.snapshot);
    return read;
  }

  async apply(batch: Change[], ctx: ApplyContext = {}): Promise<ChangeResult[]> {
    const results = new Map<Change, ChangeResult>();
    const mine = batch.filter((c) => {
      if (c.platform === this.id) return true;
      results.set(c, {
        changeId: c.id,
        status: 'failed',
        message: `${c.id} is for ${c.platform}, not ${this.id}`,
      });
      return false;
    });
    if (mine.length > 0) {
      const session = await this.connect();
      this.catalogue ??= new Catalogue(session, this.lastSnapshot);
      this.accounts ??= new AccountDirectory(this.lastSnapshot);
      const writer: Writer = {
        session,
        catalogue: this.catalogue,
        accounts: this.accounts,
        signal: ctx.signal,
      };
      const record = (change: Change, outcome: Outcome, detail?: Record<string, unknown>) =>
        results.set(change, toResult(change, outcome, detail));
      const pick = (kind: ChangeKind, action: ChangeAction) =>
        mine.filter((c) => c.kind === kind && c.action === action && !results.has(c));

      for (const [kind, action, handle] of HANDLERS) {
        if (kind === 'account' && action === 'deactivate')
          await this.transfers(writer, pick('records', 'transfer'), record);
        const changes = pick(kind, action);
        if (changes.length === 0) continue;
        if (ctx.signal?.aborted) {
          for (const c of changes) record(c, ABORTED);
          continue;
        }
        for (const [change, outcome] of await handle(writer, changes)) record(change, outcome);
      }
      for (const c of mine)
        if (!results.has(c))
          record(c, {
            status: 'failed',
            message:
              c.kind === 'account' && c.action === 'suspend'
                ? 'Salesforce users cannot be suspended; freeze or deactivate them'
                : `${this.id} does not support ${c.action} of ${c.kind}`,
          });
    }
    return batch.map((c) => results.get(c)!);
  }

  private async transfers(
    writer: Writer,
    changes: Change[],
    record: (change: Change, outcome: Outcome, detail?: Record<string, unknown>) => void,
  ): Promise<void> {
    for (const change of changes) {
      if (writer.signal?.aborted) {
        record(change, ABORTED);
        continue;
      }
      const { outcome, detail } = await transferRecords(writer, change, {
        bulkThreshold: this.options.transferBulkThreshold ?? DEFAULT_BULK_THRESHOLD,
        bulkPollIntervalMs: this.options.bulkPollIntervalMs ?? 1000,
        bulkPollTimeoutMs: this.options.bulkPollTimeoutMs ?? 600_000,
      });
      record(change, outcome, detail);
    }
  }

  /**
   * Upserts records of one sObject by an External ID field (PATCH composite/sobjects/{sobject}/
   * {field}, 200 a call, allOrNone false), one outcome per record in order: the events sink
   * (UC-18). A run-stopping failure (credentials, unreachable org, daily limit) is thrown.
   */
  async upsertByExternalId(
    sobject: string,
    externalIdField: string,
    records: readonly Record<string, unknown>[],
  ): Promise<Outcome[]> {
    const session = await this.connect();
    const items = records.map((record, key) => ({
      key,
      record: { attributes: { type: sobject }, ...record },
    }));
    const saved = await saveInChunks(session, { operation: 'upsert', sobject, externalIdField, items });
    return items.map((item) => saved.get(item)!);
  }

  maxBatch(kind: ChangeKind, _action: ChangeAction): number {
    return kind === 'records' ? 1 : COLLECTION_SIZE;
  }
}

function toResult(change: Change, outcome: Outcome, detail?: Record<string, unknown>): ChangeResult {
  const note = outcome.status === 'applied' && outcome.note ? { note: outcome.note } : undefined;
  const merged = detail || note ? { ...detail, ...note } : undefined;
  const createdId =
    outcome.status === 'applied' && outcome.id && (change.action === 'create' || change.action === 'grant')
      ? outcome.id
      : undefined;
  return {
    changeId: change.id,
    status: outcome.status,
    ...(createdId ? { createdId } : {}),
    ...(outcome.status !== 'applied' ? { message: outcome.message } : {}),
    ...(merged ? { detail: merged } : {}),
  };
}
