import type { SObjectSchema, SoqlDatabase } from './soql/index.js';
import { KEY_PREFIX, makeId, podOf } from './ids.js';
import { UsernameRegistry } from './registry.js';
import { OBJECTS, objectNamed } from './schema.js';

/**
 * One Salesforce org in memory: a table per sObject, the indexes the write rules need (so a
 * 100k-person seed never scans), and an undo log that gives composite requests their per-record
 * and all-or-none atomicity. Rows are replaced, never mutated, so an undo entry can hold the
 * previous row as it was.
 */

export type Row = Record<string, unknown> & { Id: string };

export interface SalesforceStoreOptions {
  org: string;
  registry?: UsernameRegistry;
  /** DailyApiRequests Max. @default 100000 */
  dailyApiLimit?: number;
  now?: () => Date;
}

export interface SalesforceStoreData {
  version: 1;
  org: string;
  counters: Record<string, number>;
  tables: Record<string, Row[]>;
  adminUsername: string;
  dailyApiLimit: number;
  apiUsed: number;
  issuedTokens: string[];
}

interface UndoEntry {
  object: string;
  id: string;
  prev: Row | undefined;
}

/** Parents before children, so indexes that look up a parent find it when loading. */
const LOAD_ORDER = [
  'Organization',
  'UserLicense',
  'Profile',
  'UserRole',
  'PermissionSetGroup',
  'PermissionSet',
  'PermissionSetGroupComponent',
  'User',
  'UserLogin',
  'PermissionSetAssignment',
  'Group',
  'QueueSobject',
  'Account',
  'Contact',
  'Lead',
  'Opportunity',
  'Case',
];

/** Salesforce's REST datetime format: millisecond precision and a `+0000` offset. */
export function sfDateTime(d: Date): string {
  return d.toISOString().replace('Z', '+0000');
}

export class SalesforceStore implements SoqlDatabase {
  readonly org: string;
  readonly pod: string;
  readonly orgId: string;
  readonly registry: UsernameRegistry;
  readonly now: () => Date;
  /** The user the API acts as (LastModifiedById, client-credentials run-as user). */
  adminUsername = '';
  dailyApiLimit: number;
  apiUsed = 0;
  /** Tokens issued by the token endpoint; the sandbox's own token is always valid. */
  readonly issuedTokens = new Set<string>();

  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly counters = new Map<string, number>();
  private undoLog: UndoEntry[] | undefined;

  private readonly psaByKey = new Map<string, string>();
  private readonly psaByAssignee = new Map<string, Set<string>>();
  private readonly loginByUser = new Map<string, string>();
  private readonly profileSetByProfile = new Map<string, string>();
  private readonly aggregateSetByGroup = new Map<string, string>();
  private readonly usedByLicense = new Map<string, number>();
  private readonly byName = new Map<string, Map<string, string>>();

  constructor(options: SalesforceStoreOptions) {
    this.org = options.org;
    this.pod = podOf(options.org);
    this.orgId = makeId(KEY_PREFIX.Organization, this.pod, 1);
    this.registry = options.registry ?? new UsernameRegistry();
    this.dailyApiLimit = options.dailyApiLimit ?? 100_000;
    this.now = options.now ?? (() => new Date());
    for (const name of OBJECTS.keys()) this.tables.set(name, new Map());
  }

  get credentials(): { accessToken: string; clientId: string; clientSecret: string } {
    return {
      accessToken: `${this.orgId}!AQsandbox.${this.org}.token`,
      clientId: `3MVG9sandbox.${this.org}.consumer.key`,
      clientSecret: `sandbox-${this.org}-consumer-secret`,
    };
  }

  // ---- SoqlDatabase ----------------------------------------------------------------------------

  schema(objectName: string): SObjectSchema | undefined {
    return objectNamed(objectName);
  }

  objectNames(): string[] {
    return [...OBJECTS.keys()];
  }

  rows(objectName: string): Iterable<Record<string, unknown>> {
    const o = objectNamed(objectName);
    return o ? this.table(o.name).values() : [];
  }

  /**
   * Exact lookup in the named table: the engine also answers `WHERE Id = ...` through it. So a
   * queue-owned record's `Owner.Name` reads null (the engine models Owner as a User reference).
   */
  byId(objectName: string, id: string): Record<string, unknown> | undefined {
    const o = objectNamed(objectName);
    return o ? this.tables.get(o.name)?.get(id) : undefined;
  }

  // ---- reads -----------------------------------------------------------------------------------

  table(objectName: string): Map<string, Row> {
    const t = this.tables.get(objectName);
    if (!t) throw new Error(`unknown sObject ${objectName}`);
    return t;
  }

  get(objectName: string, id: string): Row | undefined {
    return this.tables.get(objectName)?.get(id);
  }

  records(objectName: string): Row[] {
    return [...this.table(objectName).values()];
  }

  user(username: string): Row | undefined {
    const held = this.registry.owner(username);
    return held && held.org === this.org ? this.get('User', held.id) : undefined;
  }

  /** By Name (PermissionSet, Profile, UserLicense, UserRole), DeveloperName (PSG, Group). */
  named(objectName: string, name: string): Row | undefined {
    const id = this.byName.get(objectName)?.get(name);
    return id ? this.get(objectName, id) : undefined;
  }

  assignmentsOf(userId: string): Row[] {
    return [...(this.psaByAssignee.get(userId) ?? [])].map((id) => this.get('PermissionSetAssignment', id)!);
  }

  assignmentId(assigneeId: string, permissionSetId: string): string | undefined {
    return this.psaByKey.get(`${assigneeId}|${permissionSetId}`);
  }

  loginOf(userId: string): Row | undefined {
    const id = this.loginByUser.get(userId);
    return id ? this.get('UserLogin', id) : undefined;
  }

  profileSetOf(profileId: string): string | undefined {
    return this.profileSetByProfile.get(profileId);
  }

  aggregateSetOf(groupId: string): string | undefined {
    return this.aggregateSetByGroup.get(groupId);
  }

  licenseOfProfile(profileId: unknown): Row | undefined {
    const profile = typeof profileId === 'string' ? this.get('Profile', profileId) : undefined;
    return typeof profile?.UserLicenseId === 'string'
      ? this.get('UserLicense', profile.UserLicenseId)
      : undefined;
  }

  usedLicenses(licenseId: string): number {
    return this.usedByLicense.get(licenseId) ?? 0;
  }

  // ---- writes ----------------------------------------------------------------------------------

  nextId(objectName: string): string {
    const prefix = OBJECTS.get(objectName)?.prefix ?? KEY_PREFIX[objectName as keyof typeof KEY_PREFIX];
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return makeId(prefix, this.pod, n);
  }

  /** Inserts, replaces (`next` given) or removes (`undefined`) a row, keeping indexes and the undo log. */
  write(objectName: string, id: string, next: Row | undefined): void {
    const table = this.table(objectName);
    const prev = table.get(id);
    if (prev) this.unindex(objectName, prev);
    if (next) {
      table.set(id, next);
      this.index(objectName, next);
    } else table.delete(id);
    this.undoLog?.push({ object: objectName, id, prev });
  }

  /** Starts recording undo entries (a composite request). */
  beginUndo(): void {
    this.undoLog = [];
  }

  endUndo(): void {
    this.undoLog = undefined;
  }

  savepoint(): number {
    return this.undoLog?.length ?? 0;
  }

  rollbackTo(savepoint: number): void {
    const log = this.undoLog;
    if (!log) return;
    this.undoLog = undefined;
    while (log.length > savepoint) {
      const entry = log.pop()!;
      this.write(entry.object, entry.id, entry.prev);
    }
    this.undoLog = log;
  }

  /** Runs `fn` atomically: on a throw, everything it wrote is undone. */
  atomic<T>(fn: () => T): T {
    const outer = this.undoLog;
    if (!outer) this.beginUndo();
    const sp = this.savepoint();
    try {
      return fn();
    } catch (e) {
      this.rollbackTo(sp);
      throw e;
    } finally {
      if (!outer) this.endUndo();
    }
  }

  // ---- indexes ---------------------------------------------------------------------------------

  private nameIndex(objectName: string): Map<string, string> {
    let m = this.byName.get(objectName);
    if (!m) this.byName.set(objectName, (m = new Map()));
    return m;
  }

  private index(objectName: string, row: Row): void {
    switch (objectName) {
      case 'User': {
        this.registry.claim(String(row.Username), this.org, row.Id);
        if (row.IsActive === true) this.countLicense(row.ProfileId, 1);
        break;
      }
      case 'UserLicense':
        row.UsedLicenses = this.usedByLicense.get(row.Id) ?? 0;
        this.nameIndex(objectName).set(String(row.Name), row.Id);
        break;
      case 'Profile':
      case 'UserRole':
        this.nameIndex(objectName).set(String(row.Name), row.Id);
        break;
      case 'PermissionSet':
        this.nameIndex(objectName).set(String(row.Name), row.Id);
        if (typeof row.ProfileId === 'string' && row.IsOwnedByProfile === true)
          this.profileSetByProfile.set(row.ProfileId, row.Id);
        if (typeof row.PermissionSetGroupId === 'string')
          this.aggregateSetByGroup.set(row.PermissionSetGroupId, row.Id);
        break;
      case 'PermissionSetGroup':
      case 'Group':
        this.nameIndex(objectName).set(String(row.DeveloperName), row.Id);
        break;
      case 'PermissionSetAssignment': {
        const assignee = String(row.AssigneeId);
        this.psaByKey.set(`${assignee}|${String(row.PermissionSetId)}`, row.Id);
        let set = this.psaByAssignee.get(assignee);
        if (!set) this.psaByAssignee.set(assignee, (set = new Set()));
        set.add(row.Id);
        break;
      }
      case 'UserLogin':
        this.loginByUser.set(String(row.UserId), row.Id);
        break;
    }
  }

  private unindex(objectName: string, row: Row): void {
    const dropName = (key: unknown) => {
      const m = this.byName.get(objectName);
      if (m?.get(String(key)) === row.Id) m.delete(String(key));
    };
    switch (objectName) {
      case 'User':
        this.registry.release(String(row.Username), this.org, row.Id);
        if (row.IsActive === true) this.countLicense(row.ProfileId, -1);
        break;
      case 'UserLicense':
      case 'Profile':
      case 'UserRole':
        dropName(row.Name);
        break;
      case 'PermissionSet':
        dropName(row.Name);
        if (typeof row.ProfileId === 'string') this.profileSetByProfile.delete(row.ProfileId);
        if (typeof row.PermissionSetGroupId === 'string')
          this.aggregateSetByGroup.delete(row.PermissionSetGroupId);
        break;
      case 'PermissionSetGroup':
      case 'Group':
        dropName(row.DeveloperName);
        break;
      case 'PermissionSetAssignment': {
        const assignee = String(row.AssigneeId);
        this.psaByKey.delete(`${assignee}|${String(row.PermissionSetId)}`);
        this.psaByAssignee.get(assignee)?.delete(row.Id);
        break;
      }
      case 'UserLogin':
        this.loginByUser.delete(String(row.UserId));
        break;
    }
  }

  private countLicense(profileId: unknown, delta: number): void {
    const license = this.licenseOfProfile(profileId);
    if (!license) return;
    const used = (this.usedByLicense.get(license.Id) ?? 0) + delta;
    this.usedByLicense.set(license.Id, used);
    // License rows are never replaced through the API, so updating in place is safe for undo.
    license.UsedLicenses = used;
  }

  // ---- persistence -----------------------------------------------------------------------------

  toJSON(): SalesforceStoreData {
    const tables: Record<string, Row[]> = {};
    for (const [name, table] of this.tables) tables[name] = [...table.values()];
    return {
      version: 1,
      org: this.org,
      counters: Object.fromEntries(this.counters),
      tables,
      adminUsername: this.adminUsername,
      dailyApiLimit: this.dailyApiLimit,
      apiUsed: this.apiUsed,
      issuedTokens: [...this.issuedTokens],
    };
  }

  static fromJSON(data: SalesforceStoreData, registry: UsernameRegistry): SalesforceStore {
    const store = new SalesforceStore({ org: data.org, registry, dailyApiLimit: data.dailyApiLimit });
    store.apiUsed = data.apiUsed;
    store.adminUsername = data.adminUsername;
    for (const [prefix, n] of Object.entries(data.counters)) store.counters.set(prefix, n);
    for (const t of data.issuedTokens) store.issuedTokens.add(t);
    const names = [...LOAD_ORDER, ...Object.keys(data.tables).filter((n) => !LOAD_ORDER.includes(n))];
    for (const name of names) {
      if (!store.tables.has(name)) continue;
      for (const row of data.tables[name] ?? []) store.write(name, row.Id, { ...row });
    }
    return store;
  }
}
