import type {
  AccountStatus,
  ContactReadScope,
  IdpAccount,
  IdpSnapshot,
  SalesforceCase,
  SalesforceSnapshot,
  Snapshots,
} from '../../src/model/snapshot.js';
import type { DemoCompany, DemoPerson } from '@accord/sandbox';

/**
 * The demo company as the providers would read it, built straight from the company description
 * with no HTTP: for pure planner tests and for `npm run bench:plan` at 100k people, where going
 * through the emulators would measure the wrong thing. Ids are synthetic but stable.
 */
const STATUS: Record<DemoPerson['status'], AccountStatus> = {
  active: 'active',
  suspended: 'suspended',
  deprovisioned: 'deprovisioned',
  staged: 'staged',
};

const account = (p: DemoPerson): IdpAccount => ({
  id: `${p.home}-${p.key}`,
  login: p.login,
  email: p.email,
  status: STATUS[p.status],
  rawStatus: p.status.toUpperCase(),
  attributes: {
    login: p.login,
    email: p.email,
    firstName: p.firstName,
    lastName: p.lastName,
    displayName: `${p.firstName} ${p.lastName}`,
    employeeNumber: p.employeeNumber,
    department: p.department,
    title: p.title,
    manager: p.manager,
    phone: p.phone,
    city: p.city,
    country: p.country,
    userType: p.userType,
  },
});

function idpSnapshot(
  company: DemoCompany,
  home: 'okta' | 'onelogin',
  groupNames: readonly string[],
  fetchedAt: string,
): IdpSnapshot {
  const people = company.people.filter((p) => p.home === home);
  const known = home === 'okta' ? company.okta.groups.map((g) => g.name) : company.onelogin.roles;
  const kinds = new Map(company.okta.groups.map((g) => [g.name, g.type]));
  const members = new Map<string, string[]>();
  for (const p of people)
    for (const g of p.groups) (members.get(g) ?? members.set(g, []).get(g)!).push(`${home}-${p.key}`);
  return {
    platform: home,
    accounts: people.map(account),
    groups: groupNames
      .filter((n) => known.includes(n))
      .map((name) => ({
        id: `${home}-group-${name}`,
        name,
        kind:
          home === 'okta' && kinds.get(name) === 'APP_GROUP'
            ? 'app'
            : home === 'okta' && kinds.get(name) === 'BUILT_IN'
              ? 'builtin'
              : 'managed',
        memberIds: members.get(name) ?? [],
      })),
    missingGroups: groupNames.filter((n) => !known.includes(n)),
    fetchedAt,
  };
}

/** The org's CRM as the contact queries read it (UC-14, UC-15): accord's Contacts, every Account. */
function crm(company: DemoCompany, org: string, scope: ContactReadScope) {
  const { accounts = [], contacts = [] } = company.salesforce[org]!.crm ?? {};
  const pick = (fields: readonly string[], values: Record<string, string | boolean | null>) =>
    Object.fromEntries(
      fields.filter((f) => f !== 'Id' && f !== 'AccountId').map((f) => [f, values[f] ?? null]),
    );
  return {
    accounts: accounts.map((a) => ({
      id: `001-${a.name}`,
      fields: pick(scope.accountFields, { Name: a.name, Website: a.website, Type: a.type }),
    })),
    contacts: contacts
      .filter((c) => c.accordId !== null)
      .map((c) => ({
        id: `003-${c.email}`,
        accountId: `001-${c.account}`,
        fields: pick(scope.contactFields, {
          FirstName: c.firstName,
          LastName: c.lastName,
          Email: c.email,
          Title: c.title,
          Description: c.description,
          Accord_Id__c: c.accordId,
          Accord_Source__c: c.source,
          Accord_Inactive__c: c.inactive,
        }),
      })),
  };
}

function salesforceSnapshot(
  company: DemoCompany,
  org: string,
  fetchedAt: string,
  contacts?: ContactReadScope,
  caseTypes?: readonly string[],
): SalesforceSnapshot {
  const catalog = company.salesforce[org]!;
  const licenseOf = new Map(catalog.profiles.map((p) => [p.name, p.license]));
  const demoUsers = [...company.people.flatMap((p) => p.salesforce[org] ?? []), ...catalog.localUsers];
  const idOf = new Map(demoUsers.map((u, i) => [u.username, `005${org}${String(i).padStart(10, '0')}`]));
  const personOf = new Map(
    company.people.flatMap((p) => (p.salesforce[org] ?? []).map((u) => [u.username, p])),
  );
  const managerOf = new Map<string, string>();
  const byLogin = new Map(company.people.map((p) => [p.login, p]));
  for (const p of company.people) {
    const mine = p.salesforce[org]?.[0];
    const manager = p.manager ? byLogin.get(p.manager)?.salesforce[org]?.[0] : undefined;
    if (mine && manager) managerOf.set(mine.username, idOf.get(manager.username)!);
  }
  // As the sandbox seeds them (packages/sandbox/src/salesforce/seed.ts).
  const users = demoUsers.map((u) => ({
    id: idOf.get(u.username)!,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    alias: `${u.firstName.slice(0, 1)}${u.lastName.slice(0, 4)}`.toLowerCase(),
    federationId: u.federationId,
    employeeNumber: u.employeeNumber,
    isActive: u.active,
    frozen: u.frozen,
    profileId: `00e-${u.profile}`,
    profile: u.profile,
    license: licenseOf.get(u.profile) ?? 'Salesforce',
    roleId: u.role ? `00E-${u.role}` : null,
    role: u.role,
    managerId: managerOf.get(u.username) ?? null,
    fields: {
      Department: u.department,
      Title: u.title,
      Phone: personOf.get(u.username)?.phone ?? null,
      City: personOf.get(u.username)?.city ?? null,
      EmployeeNumber: u.employeeNumber,
    },
  }));
  const assignments = demoUsers.flatMap((u) => [
    ...u.permissionSets.map((name) => ({
      id: `0Pa-${u.username}-${name}`,
      userId: idOf.get(u.username)!,
      permissionSet: name,
    })),
    ...u.permissionSetGroups.map((name) => ({
      id: `0Pa-${u.username}-${name}`,
      userId: idOf.get(u.username)!,
      permissionSetGroup: name,
    })),
  ]);
  return {
    platform: `salesforce:${org}`,
    org,
    users,
    profiles: catalog.profiles.map((p) => ({ id: `00e-${p.name}`, name: p.name, license: p.license })),
    roles: catalog.roles.map((r) => ({ id: `00E-${r}`, name: r })),
    permissionSets: catalog.permissionSets.map((p) => ({
      id: `0PS-${p.name}`,
      name: p.name,
      label: p.label,
      license: p.license ?? null,
    })),
    permissionSetGroups: catalog.permissionSetGroups.map((g) => ({
      id: `0PG-${g.developerName}`,
      developerName: g.developerName,
      label: g.label,
    })),
    assignments,
    licenses: catalog.licenses.map((l) => ({
      id: `100-${l.name}`,
      name: l.name,
      total: l.total,
      used: users.filter((u) => u.isActive && u.license === l.name).length,
    })),
    queues: catalog.queues.map((q) => ({ id: `00G-${q.name}`, name: q.name })),
    ...(contacts ? crm(company, org, contacts) : {}),
    ...(caseTypes ? { cases: openCases(company, org, caseTypes) } : {}),
    fetchedAt,
  };
}

/** The org's open Cases of these types (UC-16), as the provider's one Case query reads them. */
function openCases(company: DemoCompany, org: string, types: readonly string[]): SalesforceCase[] {
  const cases = company.salesforce[org]!.crm?.cases ?? [];
  return cases
    .map((k, i) => ({ k, id: `500${org}${String(i).padStart(10, '0')}` }))
    .filter(({ k }) => k.status !== 'Closed' && types.includes(k.type))
    .map(({ k, id }) => ({ id, type: k.type, subject: k.subject, contactEmail: k.contact }));
}

export function syntheticSnapshots(
  company: DemoCompany,
  scope: {
    oktaGroups: readonly string[];
    oneloginRoles: readonly string[];
    salesforceContacts?: Record<string, ContactReadScope>;
    salesforceCases?: Record<string, string[]>;
  },
  fetchedAt = '2026-01-01T00:00:00.000Z',
): Snapshots {
  return {
    okta: idpSnapshot(company, 'okta', scope.oktaGroups, fetchedAt),
    onelogin: idpSnapshot(company, 'onelogin', scope.oneloginRoles, fetchedAt),
    salesforce: Object.fromEntries(
      Object.keys(company.salesforce).map((org) => [
        org,
        salesforceSnapshot(
          company,
          org,
          fetchedAt,
          scope.salesforceContacts?.[org],
          scope.salesforceCases?.[org],
        ),
      ]),
    ),
  };
}
