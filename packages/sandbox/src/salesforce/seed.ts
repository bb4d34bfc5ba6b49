import type { DemoCompany, DemoOrgCatalog, DemoPerson, DemoSalesforceUser } from '../company.js';
import { blankRow, deriveFields } from './operations.js';
import { UsernameRegistry } from './registry.js';
import { OBJECTS } from './schema.js';
import { SalesforceStore, type Row } from './store.js';

/**
 * Seeds one store per org of the demo company. Rows go straight in (the company is consistent by
 * construction), but through `store.write` so every index is built; lookups use Maps, never scans,
 * so 100k people seed in a few seconds.
 */

// Fixed, so the same company always gives the same stores.
const SEEDED_AT = '2024-01-15T09:00:00.000+0000';
const LATER = '2025-06-02T14:30:00.000+0000';
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const STAMP_BASE = Date.parse('2025-06-02T14:30:00.000Z');
/** The objects accord reads incrementally (by SystemModstamp): their seeded rows are stamped apart. */
const STAMPED_APART = new Set(['User', 'PermissionSetAssignment', 'Contact', 'Account']);
const sfStamp = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

/**
 * When an active user last logged in: 1 to 21 days before the day the tenant is seeded, picked by
 * the username (not the company's random stream, which would reshuffle everything seeded after).
 * Relative to today, so an inactivity policy finds the demo active; tests age a user by hand.
 */
function recentLogin(username: string): string {
  let h = 0;
  for (const ch of username) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return new Date(today - ((h % 21) + 1) * DAY_MS + 9 * 3_600_000).toISOString().replace('Z', '+0000');
}

const LICENSE_KEYS: Record<string, string> = {
  Salesforce: 'SFDC',
  'Salesforce Platform': 'PID_FDC_FREE',
  'Chatter Free': 'PID_Chatter',
};

const TIME_ZONES: Record<string, string> = {
  'San Francisco': 'America/Los_Angeles',
  'New York': 'America/New_York',
  Austin: 'America/Chicago',
  Toronto: 'America/Toronto',
  Berlin: 'Europe/Berlin',
  Paris: 'Europe/Paris',
  London: 'Europe/London',
  Amsterdam: 'Europe/Amsterdam',
};
const LOCALES: Record<string, string> = {
  US: 'en_US',
  CA: 'en_CA',
  DE: 'de_DE',
  FR: 'fr_FR',
  GB: 'en_GB',
  NL: 'nl_NL',
};

const STAMPS: Record<string, string> = {
  CreatedDate: SEEDED_AT,
  LastModifiedDate: SEEDED_AT,
  SystemModstamp: SEEDED_AT,
};
const FIELD_NAMES = new Map<string, string[]>();

type RecordObject = keyof DemoSalesforceUser['openRecords'];

const developerName = (label: string) => label.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '');

class OrgSeeder {
  /** One object per row and no spreads: this runs ~600k times for 100k people. */
  private readonly put = (object: string, values: Record<string, unknown>): Row => {
    const id = this.store.nextId(object);
    let names = FIELD_NAMES.get(object);
    if (!names) FIELD_NAMES.set(object, (names = Object.keys(OBJECTS.get(object)!.fields)));
    const row = {} as Row;
    for (const name of names) row[name] = values[name] ?? STAMPS[name] ?? null;
    row.Id = id;
    // Rows an org grew over time were not all stamped in one instant: a minute apart from LATER
    // on (never before LastModifiedDate), so a SystemModstamp cursor has few rows at its edge.
    if (STAMPED_APART.has(object)) row.SystemModstamp = sfStamp(STAMP_BASE + ++this.stamps * MINUTE_MS);
    deriveFields(object, row);
    this.store.write(object, id, row);
    return row;
  };
  private readonly profiles = new Map<string, string>();
  private readonly roles = new Map<string, string>();
  private readonly sets = new Map<string, string>();
  /** Aggregate permission set by group DeveloperName. */
  private readonly groupSets = new Map<string, string>();
  private readonly profileSets = new Map<string, string>();
  private readonly licenseOfProfile = new Map<string, string>();
  private readonly queues: string[] = [];
  private recordNo = 0;
  private stamps = 0;
  private closedTick = 0;

  constructor(
    readonly store: SalesforceStore,
    private readonly catalog: DemoOrgCatalog,
  ) {}

  catalogue(): void {
    const org = this.store.org;
    this.store.write('Organization', this.store.orgId, {
      ...blankRow(OBJECTS.get('Organization')!, {}),
      Id: this.store.orgId,
      Name: `Acme (${org})`,
      OrganizationType: 'Enterprise Edition',
      IsSandbox: false,
    });
    const licenses = new Map<string, string>();
    for (const l of this.catalog.licenses)
      licenses.set(
        l.name,
        this.put('UserLicense', {
          Name: l.name,
          MasterLabel: l.name,
          LicenseDefinitionKey: LICENSE_KEYS[l.name] ?? developerName(l.name).toUpperCase(),
          Status: 'Active',
          TotalLicenses: l.total,
        }).Id,
      );
    for (const p of this.catalog.profiles) {
      const licenseId = licenses.get(p.license) ?? null;
      const profile = this.put('Profile', { Name: p.name, UserLicenseId: licenseId, UserType: 'Standard' });
      this.profiles.set(p.name, profile.Id);
      if (licenseId) this.licenseOfProfile.set(profile.Id, licenseId);
      // A profile's hidden permission set is named after the profile's 15-char id, as in real orgs.
      const set = this.put('PermissionSet', {
        Name: `X${profile.Id.slice(0, 15)}`,
        Label: p.name,
        IsOwnedByProfile: true,
        ProfileId: profile.Id,
        IsCustom: false,
        LicenseId: licenseId,
        Type: 'Profile',
      });
      this.profileSets.set(profile.Id, set.Id);
    }
    const [root] = this.catalog.roles;
    for (const r of this.catalog.roles) {
      const parentName =
        r === root
          ? undefined
          : r === 'Sales Rep' && this.roles.has('Sales Manager')
            ? 'Sales Manager'
            : root;
      const role = this.put('UserRole', {
        Name: r,
        DeveloperName: developerName(r),
        ParentRoleId: parentName ? (this.roles.get(parentName) ?? null) : null,
      });
      this.roles.set(r, role.Id);
    }
    for (const s of this.catalog.permissionSets)
      this.sets.set(
        s.name,
        this.put('PermissionSet', {
          Name: s.name,
          Label: s.label,
          IsOwnedByProfile: false,
          IsCustom: true,
          LicenseId: s.license ? (licenses.get(s.license) ?? null) : null,
          Type: 'Regular',
        }).Id,
      );
    for (const g of this.catalog.permissionSetGroups) {
      const group = this.put('PermissionSetGroup', {
        DeveloperName: g.developerName,
        MasterLabel: g.label,
        Status: 'Updated',
      });
      // UNCONFIRMED naming: the aggregate set of a group is modelled as Type 'Group' with this Name.
      const aggregate = this.put('PermissionSet', {
        Name: `${g.developerName}_Aggregate`,
        Label: g.label,
        IsOwnedByProfile: false,
        IsCustom: false,
        Type: 'Group',
        PermissionSetGroupId: group.Id,
      });
      this.groupSets.set(g.developerName, aggregate.Id);
      for (const c of g.components) {
        const setId = this.sets.get(c);
        if (setId)
          this.put('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: setId });
      }
    }
    for (const q of this.catalog.queues) {
      const queue = this.put('Group', { Name: q.name, DeveloperName: developerName(q.name), Type: 'Queue' });
      this.queues.push(queue.Id);
      for (const object of q.objects) this.put('QueueSobject', { QueueId: queue.Id, SobjectType: object });
    }
  }

  user(u: DemoSalesforceUser, person: DemoPerson | undefined): Row {
    if (!this.store.registry.isFree(u.username, this.store.org))
      throw new Error(`seed: username ${u.username} is taken twice`);
    const profileId = this.profiles.get(u.profile);
    if (!profileId) throw new Error(`seed: no profile ${u.profile} in org ${this.store.org}`);
    const alias = `${u.firstName.slice(0, 1)}${u.lastName.slice(0, 4)}`.toLowerCase();
    const user = this.put('User', {
      Username: u.username,
      Email: u.email,
      FirstName: u.firstName,
      LastName: u.lastName,
      Alias: alias,
      CommunityNickname: u.username.split('@')[0],
      TimeZoneSidKey: (person && TIME_ZONES[person.city]) ?? 'America/Los_Angeles',
      LocaleSidKey: (person && LOCALES[person.country]) ?? 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      ProfileId: profileId,
      UserRoleId: u.role ? (this.roles.get(u.role) ?? null) : null,
      IsActive: u.active,
      FederationIdentifier: u.federationId,
      EmployeeNumber: u.employeeNumber,
      Department: u.department,
      Title: u.title,
      Phone: person?.phone ?? null,
      City: person?.city ?? null,
      Country: person?.country ?? null,
      UserType: LICENSE_KEYS['Chatter Free'] === this.licenseKey(profileId) ? 'CsnOnly' : 'Standard',
      LastModifiedDate: u.active ? SEEDED_AT : LATER,
      LastLoginDate: u.active ? recentLogin(u.username) : null,
    });
    this.put('UserLogin', { UserId: user.Id, IsFrozen: u.frozen, IsPasswordLocked: false });
    const assign = (setId: string, groupId: string | null) =>
      this.put('PermissionSetAssignment', {
        AssigneeId: user.Id,
        PermissionSetId: setId,
        PermissionSetGroupId: groupId,
        IsActive: true,
      });
    assign(this.profileSets.get(profileId)!, null);
    for (const name of u.permissionSets) {
      const setId = this.sets.get(name);
      if (!setId) throw new Error(`seed: no permission set ${name} in org ${this.store.org}`);
      assign(setId, null);
    }
    for (const name of u.permissionSetGroups) {
      const setId = this.groupSets.get(name);
      if (!setId) throw new Error(`seed: no permission set group ${name} in org ${this.store.org}`);
      assign(setId, this.store.get('PermissionSet', setId)!.PermissionSetGroupId as string);
    }
    for (const [object, count] of Object.entries(u.openRecords) as [RecordObject, number][])
      this.ownedRecords(object, count, user);
    return user;
  }

  private licenseKey(profileId: string): unknown {
    const licenseId = this.licenseOfProfile.get(profileId);
    return licenseId ? this.store.get('UserLicense', licenseId)?.LicenseDefinitionKey : undefined;
  }

  /** The org's own and partner Accounts and their Contacts (UC-14, UC-15), owned by the admin. */
  crm(crm: NonNullable<DemoOrgCatalog['crm']>): void {
    const owner = this.store.user(this.store.adminUsername)?.Id ?? null;
    const base = { OwnerId: owner, LastModifiedById: owner };
    const accounts = new Map<string, string>();
    for (const a of crm.accounts)
      accounts.set(
        a.name,
        this.put('Account', { ...base, Name: a.name, Website: a.website, Type: a.type }).Id,
      );
    const contacts = new Map<string, string>();
    for (const c of crm.contacts) contacts.set(c.email, this.putContact(base, accounts, c));
    for (const k of crm.cases)
      this.put('Case', {
        ...base,
        CaseNumber: String(this.store.table('Case').size + 1).padStart(8, '0'),
        Subject: k.subject,
        Status: k.status,
        Type: k.type,
        Origin: 'Web',
        Priority: 'Medium',
        Description: k.description,
        ContactId: contacts.get(k.contact) ?? null,
        AccountId: this.store.get('Contact', contacts.get(k.contact) ?? '')?.AccountId ?? null,
      });
  }

  private putContact(
    base: Record<string, unknown>,
    accounts: Map<string, string>,
    c: NonNullable<DemoOrgCatalog['crm']>['contacts'][number],
  ): string {
    return this.put('Contact', {
      ...base,
      FirstName: c.firstName,
      LastName: c.lastName,
      Email: c.email,
      AccountId: accounts.get(c.account) ?? null,
      Title: c.title,
      Description: c.description,
      Accord_Id__c: c.accordId,
      Accord_Source__c: c.source,
      Accord_Inactive__c: c.inactive,
    }).Id;
  }

  /**
   * `count` open records, and for every third owner one closed one where the object can be
   * closed (enough to tell open from closed without inflating a 100k-person seed).
   */
  private ownedRecords(object: RecordObject, count: number, owner: Row): void {
    const last = String(owner.LastName);
    const closed = this.closedTick++ % 3 === 0 ? 1 : 0;
    for (let i = 0; i < count + closed; i++) {
      const open = i < count;
      const n = ++this.recordNo;
      const base = { OwnerId: owner.Id, LastModifiedById: owner.Id };
      switch (object) {
        case 'Account':
          if (open)
            this.put('Account', {
              ...base,
              Name: `${last} Customer ${n}`,
              Type: 'Customer - Direct',
              Industry: 'Technology',
            });
          break;
        case 'Contact':
          if (open)
            this.put('Contact', {
              ...base,
              FirstName: 'Casey',
              LastName: `Contact${n}`,
              Email: `contact${n}@customer.test`,
              Accord_Inactive__c: false,
            });
          break;
        case 'Lead':
          this.put('Lead', {
            ...base,
            FirstName: 'Lee',
            LastName: `Prospect${n}`,
            Company: `Prospect Co ${n}`,
            Status: open ? 'Working - Contacted' : 'Closed - Converted',
            IsConverted: !open,
          });
          break;
        case 'Opportunity':
          this.put('Opportunity', {
            ...base,
            Name: `${last} Deal ${n}`,
            StageName: open ? 'Prospecting' : 'Closed Won',
            CloseDate: open ? '2026-12-31' : '2024-06-30',
            Amount: 1000 * ((n % 50) + 1),
          });
          break;
        case 'Case':
          this.put('Case', {
            ...base,
            CaseNumber: String(this.store.table('Case').size + 1).padStart(8, '0'),
            Subject: `Customer issue ${n}`,
            Status: open ? 'Working' : 'Closed',
          });
          break;
      }
    }
  }
}

export function seedSalesforce(
  company: DemoCompany,
  registry = new UsernameRegistry(),
): Record<string, SalesforceStore> {
  const stores: Record<string, SalesforceStore> = {};
  for (const [org, catalog] of Object.entries(company.salesforce)) {
    const store = new SalesforceStore({ org, registry });
    const seeder = new OrgSeeder(store, catalog);
    seeder.catalogue();
    for (const local of catalog.localUsers) seeder.user(local, undefined);
    store.adminUsername =
      catalog.localUsers.find((u) => u.profile === 'System Administrator' && u.active)?.username ??
      catalog.localUsers[0]?.username ??
      '';
    // The manager's user in this org is the first of their users here.
    const userOfLogin = new Map<string, Row>();
    const managed: [Row, string][] = [];
    for (const person of company.people) {
      for (const u of person.salesforce[org] ?? []) {
        const user = seeder.user(u, person);
        if (!userOfLogin.has(person.login)) userOfLogin.set(person.login, user);
        if (person.manager) managed.push([user, person.manager]);
      }
    }
    // Not indexed, so setting it in place (before anything can hold the row) is safe.
    for (const [user, manager] of managed) user.ManagerId = userOfLogin.get(manager)?.Id ?? null;
    if (catalog.crm) seeder.crm(catalog.crm);
    stores[org] = store;
  }
  return stores;
}
