import type { SalesforceSnapshot } from '../../model/snapshot.js';
import { chunk } from '../http/chunk.js';
import { COLLECTION_SIZE } from './collections.js';
import type { Session } from './session.js';
import { inBatches, inList } from './soql.js';

/**
 * Names to ids for the values changes carry by name (profile, role, manager, permission sets,
 * groups, queues, users). Taken from the provider's last snapshot; without one, each object's
 * names are loaded lazily with one query. Users not in the snapshot (created since) are looked
 * up by Username, one query per chunk.
 */

export type CatalogueKind = 'Profile' | 'UserRole' | 'PermissionSet' | 'PermissionSetGroup' | 'Queue';

const LOAD: Record<CatalogueKind, string> = {
  Profile: 'SELECT Id, Name FROM Profile',
  UserRole: 'SELECT Id, Name FROM UserRole',
  PermissionSet:
    'SELECT Id, Name FROM PermissionSet WHERE IsOwnedByProfile = false AND PermissionSetGroupId = null',
  PermissionSetGroup: 'SELECT Id, DeveloperName FROM PermissionSetGroup',
  Queue: "SELECT Id, Name FROM Group WHERE Type = 'Queue'",
};

const nameField = (kind: CatalogueKind) => (kind === 'PermissionSetGroup' ? 'DeveloperName' : 'Name');

/** Salesforce usernames are case-insensitive. */
const userKey = (username: string) => username.trim().toLowerCase();

export class Catalogue {
  private readonly names = new Map<CatalogueKind, Promise<Map<string, string>>>();
  private readonly users = new Map<string, string>();

  constructor(
    private readonly session: Session,
    snapshot?: SalesforceSnapshot,
  ) {
    if (!snapshot) return;
    // Queues a snapshot did not read are loaded when a change first needs one.
    const names: Partial<Record<CatalogueKind, [string, string][]>> = {
      Profile: snapshot.profiles.map((p) => [p.name, p.id]),
      UserRole: snapshot.roles.map((r) => [r.name, r.id]),
      PermissionSet: snapshot.permissionSets.map((s) => [s.name, s.id]),
      PermissionSetGroup: snapshot.permissionSetGroups.map((g) => [g.developerName, g.id]),
      ...(snapshot.queues ? { Queue: snapshot.queues.map((q): [string, string] => [q.name, q.id]) } : {}),
    };
    for (const [kind, entries] of Object.entries(names) as [CatalogueKind, [string, string][]][])
      this.names.set(kind, Promise.resolve(new Map(entries)));
    for (const u of snapshot.users) this.users.set(userKey(u.username), u.id);
  }

  private load(kind: CatalogueKind): Promise<Map<string, string>> {
    let names = this.names.get(kind);
    if (!names) {
      names = this.session
        .query(LOAD[kind], { phase: kind })
        .then((rows) => new Map(rows.map((r) => [String(r[nameField(kind)]), String(r.Id)])));
      // A failed load is not remembered, so the next change may try again.
      names.catch(() => this.names.delete(kind));
      this.names.set(kind, names);
    }
    return names;
  }

  async id(kind: CatalogueKind, name: string): Promise<string | undefined> {
    const names = await this.load(kind);
    const exact = names.get(name);
    if (exact) return exact;
    const lower = name.toLowerCase();
    for (const [n, id] of names) if (n.toLowerCase() === lower) return id;
    return undefined;
  }

  rememberUser(username: string, id: string): void {
    this.users.set(userKey(username), id);
  }

  /** Ids of these usernames; unknown ones are looked up in one query per 200 (absent when none exists). */
  async userIds(usernames: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const unknown = [...new Set(usernames.map(userKey))].filter((u) => {
      const id = this.users.get(u);
      if (id) out.set(u, id);
      return !id;
    });
    for (const batch of chunkedUsernames(unknown)) {
      const rows = await this.session.query(
        `SELECT Id, Username FROM User WHERE Username IN ${inList(batch)}`,
        {
          phase: 'User',
        },
      );
      for (const r of rows) {
        this.rememberUser(String(r.Username), String(r.Id));
        out.set(userKey(String(r.Username)), String(r.Id));
      }
    }
    return out;
  }

  userId(ids: Map<string, string>, username: string): string | undefined {
    return ids.get(userKey(username));
  }
}

const chunkedUsernames = (usernames: string[]): string[][] =>
  chunk(usernames, COLLECTION_SIZE).flatMap((batch) => inBatches(batch));
