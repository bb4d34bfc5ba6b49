import { createRng, type Rng } from './rng.js';

/**
 * The demo company, platform-neutral: Acme (people in Okta) and Globex, an acquired subsidiary
 * whose people live in OneLogin, with two Salesforce orgs, `prod` and `emea`. Each emulator seeds
 * its tenant from this one description, so the three platforms tell one consistent story.
 *
 * The catalogue names below are the ones the demo policy in `policies/` refers to. The named people
 * carry the situations the demo must show: a new hire, a role change, leavers who own open records,
 * manual drift, an ambiguous match, a match by employee number only, protected accounts and a
 * nearly full license.
 */

export const ACME_DOMAIN = 'acme.test';
export const GLOBEX_DOMAIN = 'globex.test';

export type HomeDirectory = 'okta' | 'onelogin';
/** Status in the person's home directory. */
export type DirectoryStatus = 'active' | 'suspended' | 'deprovisioned' | 'staged';

/** A Salesforce user as it exists before accord runs. */
export interface DemoSalesforceUser {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  /** Null when the user has none (matching then falls back to other keys). */
  federationId: string | null;
  employeeNumber: string | null;
  profile: string;
  role: string | null;
  permissionSets: string[];
  permissionSetGroups: string[];
  active: boolean;
  frozen: boolean;
  department: string | null;
  title: string | null;
  /** Open records this user owns, by object. */
  openRecords: Partial<Record<'Account' | 'Contact' | 'Lead' | 'Opportunity' | 'Case', number>>;
}

export interface DemoPerson {
  /** Stable key, e.g. `p000001`. */
  key: string;
  home: HomeDirectory;
  status: DirectoryStatus;
  firstName: string;
  lastName: string;
  /** Login in the home directory (Okta login / OneLogin username); equals email here. */
  login: string;
  email: string;
  employeeNumber: string;
  department: string;
  title: string;
  /** Login of the manager, if any. */
  manager: string | null;
  phone: string;
  country: string;
  city: string;
  userType: 'Employee' | 'Contractor' | 'Service' | 'Partner';
  /** Okta group names (Acme people) or OneLogin role names (Globex people). */
  groups: string[];
  /** Existing Salesforce users of this person by org key. */
  salesforce: Record<string, DemoSalesforceUser[]>;
}

export interface DemoOrgCatalog {
  licenses: { name: string; total: number }[];
  profiles: { name: string; license: string }[];
  roles: string[];
  permissionSets: { name: string; label: string; license?: string }[];
  permissionSetGroups: { developerName: string; label: string; components: string[] }[];
  queues: { name: string; objects: ('Lead' | 'Case')[] }[];
  /** Salesforce users with no identity in any IdP (integration, break-glass, ops). */
  localUsers: DemoSalesforceUser[];
  /** Accounts, Contacts and Cases the org has before accord runs (UC-14 to UC-16); absent: none. */
  crm?: { accounts: DemoAccount[]; contacts: DemoContact[]; cases: DemoCase[] };
}

/** A company in the CRM: the employer's own Account, or a partner organisation's. */
export interface DemoAccount {
  name: string;
  website: string;
  type: string;
}

/**
 * A Case, from a Contact (by email): the demo's open access request asks for temporary access, the
 * kind of Salesforce fact UC-16 turns into IdP access.
 */
export interface DemoCase {
  subject: string;
  contact: string;
  type: string;
  status: string;
  description: string;
}

/** A Contact, under an Account by name; `accordId` and `source` when accord keeps it. */
export interface DemoContact {
  firstName: string;
  lastName: string;
  email: string;
  account: string;
  title: string | null;
  /** Edited by hand in the CRM; no policy owns it. */
  description: string | null;
  accordId: string | null;
  source: string | null;
  inactive: boolean;
}

/** An Okta app instance and who is assigned to it: groups by name, people directly by login. */
export interface DemoOktaApp {
  name: string;
  label: string;
  signOnMode: string;
  groups: string[];
  users: string[];
}

/** A OneLogin app, granted through roles (by name) and directly to people (by login). */
export interface DemoOneLoginApp {
  name: string;
  connectorId: number;
  /** 2 is SAML. */
  authMethod: number;
  roles: string[];
  users: string[];
}

export interface DemoCompany {
  seed: number;
  people: DemoPerson[];
  okta: {
    groups: { name: string; type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN'; description: string }[];
    apps: DemoOktaApp[];
  };
  onelogin: { roles: string[]; apps: DemoOneLoginApp[] };
  salesforce: Record<string, DemoOrgCatalog>;
}

// ---- catalogue (names the demo policy uses) ---------------------------------------------------

export const OKTA_GROUPS = [
  'Sales',
  'Sales Managers',
  'Support',
  'Finance',
  'Engineering',
  'Marketing',
  'EMEA',
  'Contractors',
  'Service Accounts',
  'Salesforce Admins',
  'Globex Sales',
  'Globex Support',
] as const;

export const ONELOGIN_ROLES = ['Globex Employees', 'Globex Sales', 'Globex Support'] as const;

/**
 * Apps. Salesforce in Okta goes to the groups the demo policy gives Salesforce access to, plus a
 * few people directly: Lee (only directly: the policy makes him an admin through the group next),
 * Kim and Chris (directly and through Sales: Okta then shows scope USER). Sam Leaver is in Sales
 * but DEPROVISIONED, so Okta lists him nowhere. Slack goes to Everyone.
 */
export const OKTA_APPS: DemoOktaApp[] = [
  {
    name: 'salesforce',
    label: 'Salesforce',
    signOnMode: 'SAML_2_0',
    groups: ['Sales', 'Sales Managers', 'Support', 'Finance', 'Salesforce Admins', 'Globex Sales'],
    users: [`lee.admin@${ACME_DOMAIN}`, `kim.mover@${ACME_DOMAIN}`, `chris.drift@${ACME_DOMAIN}`],
  },
  { name: 'slack', label: 'Slack', signOnMode: 'SAML_2_0', groups: ['Everyone'], users: [] },
];

/**
 * Globex's Salesforce, through the role Globex Sales: the policy's managed role "Globex Salesforce
 * Users" derives its members from that role, but it doesn't exist until accord creates it, and
 * seeding it would change the demo plan. The connector id is ours (OneLogin's is UNCONFIRMED).
 */
export const ONELOGIN_APPS: DemoOneLoginApp[] = [
  { name: 'Salesforce', connectorId: 110016, authMethod: 2, roles: ['Globex Sales'], users: [] },
];

const profiles = [
  { name: 'System Administrator', license: 'Salesforce' },
  { name: 'Standard User', license: 'Salesforce' },
  { name: 'Sales User', license: 'Salesforce' },
  { name: 'Support User', license: 'Salesforce' },
  { name: 'Minimum Access - Salesforce', license: 'Salesforce' },
  { name: 'Finance User', license: 'Salesforce Platform' },
  { name: 'Chatter Free User', license: 'Chatter Free' },
];

const permissionSets = [
  { name: 'Sales_Cloud_User', label: 'Sales Cloud User' },
  { name: 'Service_Cloud_User', label: 'Service Cloud User' },
  { name: 'Knowledge_User', label: 'Knowledge User' },
  { name: 'Billing_Approver', label: 'Billing Approver' },
  { name: 'Modify_All_Data', label: 'Modify All Data' },
  { name: 'Report_Builder', label: 'Report Builder' },
  { name: 'Globex_Pipeline', label: 'Globex Pipeline' },
  { name: 'Data_Export', label: 'Data Export' },
  { name: 'API_Only', label: 'API Only' },
];

const permissionSetGroups = [
  {
    developerName: 'Sales_Leadership',
    label: 'Sales Leadership',
    components: ['Sales_Cloud_User', 'Report_Builder'],
  },
  {
    developerName: 'Support_Tier2',
    label: 'Support Tier 2',
    components: ['Service_Cloud_User', 'Knowledge_User'],
  },
];

const queues = [
  { name: 'Unassigned Leads', objects: ['Lead' as const] },
  { name: 'Support Queue', objects: ['Case' as const] },
];

const DEPARTMENTS: { name: string; weight: number; groups: string[]; titles: string[] }[] = [
  {
    name: 'Sales',
    weight: 30,
    groups: ['Sales'],
    titles: ['Account Executive', 'Sales Development Rep', 'Account Manager'],
  },
  {
    name: 'Support',
    weight: 20,
    groups: ['Support'],
    titles: ['Support Engineer', 'Customer Success Manager'],
  },
  { name: 'Finance', weight: 8, groups: ['Finance'], titles: ['Accountant', 'Financial Analyst'] },
  {
    name: 'Engineering',
    weight: 27,
    groups: ['Engineering'],
    titles: ['Software Engineer', 'SRE', 'Engineering Manager'],
  },
  {
    name: 'Marketing',
    weight: 15,
    groups: ['Marketing'],
    titles: ['Marketing Manager', 'Content Strategist'],
  },
];

const EMEA = [
  { country: 'DE', city: 'Berlin' },
  { country: 'FR', city: 'Paris' },
  { country: 'GB', city: 'London' },
  { country: 'NL', city: 'Amsterdam' },
];
const AMERICAS = [
  { country: 'US', city: 'San Francisco' },
  { country: 'US', city: 'New York' },
  { country: 'US', city: 'Austin' },
  { country: 'CA', city: 'Toronto' },
];

const FIRST = [
  'Alex',
  'Blake',
  'Casey',
  'Drew',
  'Emery',
  'Finley',
  'Gray',
  'Harper',
  'Indy',
  'Jordan',
  'Kai',
  'Logan',
  'Morgan',
  'Noa',
  'Oakley',
  'Parker',
  'Quinn',
  'Riley',
  'Sage',
  'Taylor',
  'Uma',
  'Val',
  'Wren',
  'Yael',
];
const LAST = [
  'Ahmed',
  'Brown',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Nguyen',
  'Okafor',
  'Patel',
  'Rossi',
  'Silva',
  'Tanaka',
  'Ueda',
  'Vargas',
  'Weber',
  'Young',
  'Zhang',
];

/** Seats above current use in the nearly full license. */
export const NEARLY_FULL_HEADROOM = 5;

// ---- generation -----------------------------------------------------------------------------

export interface CompanyOptions {
  /** About how many people (named people included). @default 300 */
  people?: number;
  seed?: number;
}

const pad = (n: number) => String(n).padStart(6, '0');

const sfUser = (
  p: Pick<
    DemoPerson,
    'email' | 'firstName' | 'lastName' | 'login' | 'employeeNumber' | 'department' | 'title'
  >,
  org: string,
  over: Partial<DemoSalesforceUser> = {},
): DemoSalesforceUser => ({
  username: org === 'prod' ? p.email : `${p.email}.${org}`,
  email: p.email,
  firstName: p.firstName,
  lastName: p.lastName,
  federationId: p.login,
  employeeNumber: p.employeeNumber,
  profile: 'Standard User',
  role: null,
  permissionSets: [],
  permissionSetGroups: [],
  active: true,
  frozen: false,
  department: p.department,
  title: p.title,
  openRecords: {},
  ...over,
});

/** Salesforce state that the demo policy would produce for a person (before any situation bends it). */
function reconciledSalesforce(p: DemoPerson): Record<string, DemoSalesforceUser[]> {
  const out: Record<string, DemoSalesforceUser[]> = {};
  const g = new Set(p.groups);
  const emea = g.has('EMEA');
  if (g.has('Sales')) {
    const manager = g.has('Sales Managers');
    out.prod = [
      sfUser(p, 'prod', {
        profile: 'Sales User',
        role: manager ? 'Sales Manager' : 'Sales Rep',
        permissionSets: ['Sales_Cloud_User'],
        permissionSetGroups: manager ? ['Sales_Leadership'] : [],
        openRecords: { Account: 2, Opportunity: 3, Lead: 1 },
      }),
    ];
    if (emea)
      out.emea = [
        sfUser(p, 'emea', {
          profile: 'Sales User',
          role: 'EMEA Sales Rep',
          permissionSets: ['GDPR_Data_Access', 'Sales_Cloud_User'],
        }),
      ];
  } else if (g.has('Support')) {
    out.prod = [
      sfUser(p, 'prod', {
        profile: 'Support User',
        role: 'Support Agent',
        permissionSets: ['Knowledge_User', 'Service_Cloud_User'],
        openRecords: { Case: 4 },
      }),
    ];
    if (emea)
      out.emea = [
        sfUser(p, 'emea', {
          profile: 'Support User',
          permissionSets: ['GDPR_Data_Access', 'Service_Cloud_User'],
        }),
      ];
  } else if (g.has('Finance')) {
    out.prod = [
      sfUser(p, 'prod', { profile: 'Finance User', role: 'Finance', permissionSets: ['Billing_Approver'] }),
    ];
  }
  return out;
}

function person(rng: Rng, index: number, home: HomeDirectory, over: Partial<DemoPerson> = {}): DemoPerson {
  const firstName = over.firstName ?? rng.pick(FIRST);
  const lastName = over.lastName ?? rng.pick(LAST);
  const domain = home === 'okta' ? ACME_DOMAIN : GLOBEX_DOMAIN;
  const email = over.email ?? `${firstName}.${lastName}.${index}@${domain}`.toLowerCase();
  const dept = rng.pick(DEPARTMENTS.flatMap((d) => Array<(typeof DEPARTMENTS)[number]>(d.weight).fill(d)));
  const place = rng.chance(0.3) ? rng.pick(EMEA) : rng.pick(AMERICAS);
  const base: DemoPerson = {
    key: `p${pad(index)}`,
    home,
    status: 'active',
    firstName,
    lastName,
    login: email,
    email,
    employeeNumber: `${home === 'okta' ? 'E' : 'G'}${pad(index)}`,
    department: dept.name,
    title: rng.pick(dept.titles),
    manager: null,
    phone: `+1-555-${String(1000 + (index % 9000)).padStart(4, '0')}`,
    country: place.country,
    city: place.city,
    userType: rng.chance(0.05) ? 'Contractor' : 'Employee',
    groups: [],
    salesforce: {},
  };
  const merged = { ...base, ...over, login: over.login ?? over.email ?? email };
  if (over.groups === undefined) {
    merged.groups =
      home === 'okta'
        ? [...dept.groups, ...(EMEA.some((e) => e.country === merged.country) ? ['EMEA'] : [])]
        : [
            'Globex Employees',
            ...(dept.name === 'Sales' ? ['Globex Sales'] : dept.name === 'Support' ? ['Globex Support'] : []),
          ];
    if (merged.userType === 'Contractor' && home === 'okta') merged.groups.push('Contractors');
  }
  return merged;
}

/** The named people: each carries one situation the demo plan must handle. */
function namedPeople(rng: Rng): DemoPerson[] {
  const n = (i: number, home: HomeDirectory, over: Partial<DemoPerson>) => person(rng, i, home, over);
  const dana = n(1, 'okta', {
    firstName: 'Dana',
    lastName: 'Boss',
    email: `dana.boss@${ACME_DOMAIN}`,
    department: 'Sales',
    title: 'VP Sales',
    country: 'US',
    city: 'New York',
    groups: ['Sales', 'Sales Managers'],
  });
  const ana = n(2, 'okta', {
    firstName: 'Ana',
    lastName: 'Lopez',
    email: `ana.lopez@${ACME_DOMAIN}`,
    department: 'Sales',
    title: 'Account Executive',
    manager: dana.login,
    country: 'DE',
    city: 'Berlin',
    groups: ['Sales', 'EMEA'],
  });
  const sam = n(3, 'okta', {
    firstName: 'Sam',
    lastName: 'Admin',
    email: `sam.admin@${ACME_DOMAIN}`,
    department: 'Engineering',
    title: 'Salesforce Architect',
    country: 'US',
    city: 'Austin',
    groups: ['Engineering', 'Salesforce Admins'],
  });
  const lee = n(4, 'okta', {
    firstName: 'Lee',
    lastName: 'Admin',
    email: `lee.admin@${ACME_DOMAIN}`,
    department: 'Engineering',
    title: 'Salesforce Developer',
    country: 'GB',
    city: 'London',
    groups: ['Engineering', 'EMEA'],
  });
  const leaver = n(5, 'okta', {
    firstName: 'Sam',
    lastName: 'Leaver',
    email: `sam.leaver@${ACME_DOMAIN}`,
    department: 'Sales',
    title: 'Account Executive',
    manager: dana.login,
    country: 'US',
    city: 'New York',
    groups: ['Sales'],
    status: 'deprovisioned',
  });
  const orphanLeaver = n(6, 'okta', {
    firstName: 'Robin',
    lastName: 'Gone',
    email: `robin.gone@${ACME_DOMAIN}`,
    department: 'Support',
    title: 'Support Engineer',
    manager: null,
    country: 'US',
    city: 'Austin',
    groups: ['Support'],
    status: 'deprovisioned',
  });
  const mover = n(7, 'okta', {
    firstName: 'Kim',
    lastName: 'Mover',
    email: `kim.mover@${ACME_DOMAIN}`,
    department: 'Sales',
    title: 'Account Manager',
    manager: dana.login,
    country: 'US',
    city: 'San Francisco',
    groups: ['Sales'],
  });
  const hire = n(8, 'okta', {
    firstName: 'Nico',
    lastName: 'Newhire',
    email: `nico.newhire@${ACME_DOMAIN}`,
    department: 'Sales',
    title: 'Sales Development Rep',
    manager: dana.login,
    country: 'FR',
    city: 'Paris',
    groups: ['Sales', 'EMEA'],
  });
  const shared = n(9, 'okta', {
    firstName: 'Pat',
    lastName: 'Shared',
    email: `pat.shared@${ACME_DOMAIN}`,
    department: 'Support',
    title: 'Support Engineer',
    country: 'US',
    city: 'Austin',
    groups: ['Support'],
  });
  const married = n(10, 'okta', {
    firstName: 'Maria',
    lastName: 'Newname',
    email: `maria.newname@${ACME_DOMAIN}`,
    department: 'Finance',
    title: 'Accountant',
    country: 'US',
    city: 'New York',
    groups: ['Finance'],
  });
  const drift = n(11, 'okta', {
    firstName: 'Chris',
    lastName: 'Drift',
    email: `chris.drift@${ACME_DOMAIN}`,
    department: 'Sales',
    title: 'Account Executive',
    manager: dana.login,
    country: 'US',
    city: 'Austin',
    groups: ['Sales'],
  });
  const gina = n(12, 'onelogin', {
    firstName: 'Gina',
    lastName: 'Globex',
    email: `gina.globex@${GLOBEX_DOMAIN}`,
    department: 'Sales',
    title: 'Account Executive',
    country: 'US',
    city: 'Austin',
    groups: ['Globex Employees', 'Globex Sales'],
  });

  const people = [dana, ana, sam, lee, leaver, orphanLeaver, mover, hire, shared, married, drift, gina];
  for (const p of people) p.salesforce = reconciledSalesforce(p);

  // Admin: already reconciled by hand in prod and emea.
  sam.salesforce = {
    prod: [sfUser(sam, 'prod', { profile: 'System Administrator', permissionSets: ['Modify_All_Data'] })],
    emea: [sfUser(sam, 'emea', { profile: 'System Administrator', permissionSets: ['Modify_All_Data'] })],
  };
  // Lee is not yet in the Salesforce Admins group (the managed group adds him).
  lee.salesforce = {};
  // Leavers: still active in Salesforce and owning open records.
  leaver.salesforce = {
    prod: [
      sfUser(leaver, 'prod', {
        profile: 'Sales User',
        role: 'Sales Rep',
        permissionSets: ['Sales_Cloud_User'],
        openRecords: { Account: 3, Opportunity: 5, Contact: 4, Lead: 2 },
      }),
    ],
  };
  orphanLeaver.salesforce = {
    prod: [
      sfUser(orphanLeaver, 'prod', {
        profile: 'Support User',
        role: 'Support Agent',
        permissionSets: ['Knowledge_User', 'Service_Cloud_User'],
        openRecords: { Case: 6 },
      }),
    ],
  };
  // Role change: moved from Support to Sales; Salesforce still shows Support.
  mover.salesforce = {
    prod: [
      sfUser(mover, 'prod', {
        profile: 'Support User',
        role: 'Support Agent',
        permissionSets: ['Knowledge_User', 'Service_Cloud_User'],
        openRecords: { Case: 2 },
      }),
    ],
  };
  // New hire: nothing in Salesforce yet.
  hire.salesforce = {};
  // Ambiguous: two Salesforce users share Pat's email and carry no federation id or employee number.
  shared.salesforce = {
    prod: [
      sfUser(shared, 'prod', {
        username: `pat.shared@${ACME_DOMAIN}.old`,
        federationId: null,
        employeeNumber: null,
        profile: 'Support User',
        role: 'Support Agent',
        permissionSets: ['Knowledge_User', 'Service_Cloud_User'],
      }),
      sfUser(shared, 'prod', {
        username: `pat.shared.2@${ACME_DOMAIN}`,
        federationId: null,
        employeeNumber: null,
        profile: 'Support User',
        active: true,
      }),
    ],
  };
  // Linked only by employee number: the Salesforce user still has her old name and email.
  married.salesforce = {
    prod: [
      sfUser({ ...married, email: `maria.oldname@${ACME_DOMAIN}` }, 'prod', {
        federationId: null,
        lastName: 'Oldname',
        profile: 'Finance User',
        role: 'Finance',
        permissionSets: ['Billing_Approver'],
      }),
    ],
  };
  // Drift: a permission set assigned by hand in Salesforce.
  drift.salesforce.prod![0]!.permissionSets.push('Data_Export');
  return people;
}

function localUsers(org: string): DemoSalesforceUser[] {
  const local = (
    name: string,
    first: string,
    last: string,
    profile: string,
    ps: string[],
  ): DemoSalesforceUser => ({
    username: org === 'prod' ? `${name}@${ACME_DOMAIN}` : `${name}@${ACME_DOMAIN}.${org}`,
    email: `${name}@${ACME_DOMAIN}`,
    firstName: first,
    lastName: last,
    federationId: null,
    employeeNumber: null,
    profile,
    role: null,
    permissionSets: ps,
    permissionSetGroups: [],
    active: true,
    frozen: false,
    department: 'IT',
    title: null,
    openRecords: {},
  });
  return [
    local('integration', 'Integration', 'User', 'System Administrator', ['API_Only']),
    local('breakglass-1', 'Break', 'Glass', 'System Administrator', ['Modify_All_Data']),
    local('sales.ops', 'Sales', 'Ops', 'Standard User', []),
  ];
}

function catalog(org: string): Omit<DemoOrgCatalog, 'licenses'> {
  return {
    profiles,
    roles:
      org === 'prod'
        ? ['CEO', 'Sales Manager', 'Sales Rep', 'Support Agent', 'Finance']
        : ['EMEA Sales Rep', 'EMEA Support'],
    permissionSets: [
      ...permissionSets,
      ...(org === 'emea' ? [{ name: 'GDPR_Data_Access', label: 'GDPR Data Access' }] : []),
    ],
    permissionSetGroups,
    queues,
    localUsers: localUsers(org),
  };
}

export const INITECH_DOMAIN = 'initech.test';
export const HOOLI_DOMAIN = 'hooli.test';

/**
 * Partner people (UC-14), in Okta with user type Partner and no groups: Initech is a partner
 * Account in prod already, Hooli is not (the policy creates it). Ravi has a Contact whose Title
 * drifted and whose Description a salesperson wrote; Lou left Initech (deprovisioned) and still has
 * an active Contact. Built without the random generator, so the rest of the company is unchanged.
 */
function partnerPeople(first: number): DemoPerson[] {
  // The partner's organisation is their department in Okta: the policy names new Accounts by it.
  const partner = (
    i: number,
    firstName: string,
    lastName: string,
    domain: string,
    title: string,
  ): DemoPerson => {
    const email = `${firstName}.${lastName}@${domain}`.toLowerCase();
    return {
      key: `p${pad(first + i)}`,
      home: 'okta',
      status: 'active',
      firstName,
      lastName,
      login: email,
      email,
      employeeNumber: `X${pad(first + i)}`,
      department: domain === HOOLI_DOMAIN ? 'Hooli' : 'Initech',
      title,
      manager: null,
      phone: `+1-555-7${String(100 + i)}`,
      country: 'US',
      city: 'Austin',
      userType: 'Partner',
      groups: [],
      salesforce: {},
    };
  };
  const lou = partner(3, 'Lou', 'Former', INITECH_DOMAIN, 'Solutions Engineer');
  lou.status = 'deprovisioned';
  return [
    partner(0, 'Pat', 'Partner', INITECH_DOMAIN, 'Alliance Manager'),
    partner(1, 'Ravi', 'Reseller', INITECH_DOMAIN, 'Channel Manager'),
    partner(2, 'Hana', 'Hooli', HOOLI_DOMAIN, 'Partner Architect'),
    lou,
  ];
}

const partnerContact = (p: DemoPerson, over: Partial<DemoContact>): DemoContact => ({
  firstName: p.firstName,
  lastName: p.lastName,
  email: p.email,
  account: 'Initech',
  title: p.title,
  description: null,
  accordId: `okta:${p.login}`,
  source: 'okta-partners',
  inactive: false,
  ...over,
});

/**
 * The CRM of prod: Acme's own Account (UC-15), Initech (UC-14), the partner Contacts it has, and
 * two open access Cases (UC-16): Ravi's (a partner) and Lee's, an employee on call who asked for
 * temporary production support access (Lee's Contact under Acme Corp is nobody's: no sync keys it).
 */
function prodCrm(partners: readonly DemoPerson[], onCall?: DemoPerson): NonNullable<DemoOrgCatalog['crm']> {
  const [, ravi, , lou] = partners;
  return {
    accounts: [
      { name: 'Acme Corp', website: ACME_DOMAIN, type: 'Other' },
      { name: 'Initech', website: INITECH_DOMAIN, type: 'Partner' },
    ],
    contacts: [
      partnerContact(ravi!, { title: 'Partner Manager', description: 'Key reseller: met at Dreamforce' }),
      partnerContact(lou!, {}),
      ...(onCall ? [partnerContact(onCall, { account: 'Acme Corp', accordId: null, source: null })] : []),
    ],
    cases: [
      {
        subject: 'Temporary access: Partner Portal for Ravi Reseller',
        contact: ravi!.email,
        type: 'Access Request',
        status: 'Working',
        description: `Grant ${ravi!.login} the Partner Portal app until 2026-12-31 for the joint pipeline review.`,
      },
      ...(onCall
        ? [
            {
              subject: `Temporary access: production support for ${onCall.firstName} ${onCall.lastName}`,
              contact: onCall.email,
              type: 'Access Request',
              status: 'New',
              description: `${onCall.login} is on call this week and needs production support access until the Case closes.`,
            },
          ]
        : []),
    ],
  };
}

/** Deterministic demo company of about `people` people (default 300). 100k in well under 10 s. */
export function generateCompany(options: CompanyOptions = {}): DemoCompany {
  const seed = options.seed ?? 42;
  const total = Math.max(options.people ?? 300, 20);
  const rng = createRng(seed);
  const people = namedPeople(rng);
  const dana = people[0]!;
  // Department heads manage everyone else in their department.
  const heads = new Map<string, string>([['Sales', dana.login]]);
  const globexShare = 0.1;
  for (let i = people.length + 1; people.length < total; i++) {
    const home: HomeDirectory = rng.chance(globexShare) ? 'onelogin' : 'okta';
    const p = person(rng, i, home);
    const head =
      heads.get(`${home}:${p.department}`) ?? (home === 'okta' ? heads.get(p.department) : undefined);
    if (head) p.manager = head;
    else heads.set(home === 'okta' ? p.department : `${home}:${p.department}`, p.login);
    // About 1 in 150 has left but is still active in Salesforce; a few are suspended.
    if (rng.chance(1 / 150)) p.status = 'deprovisioned';
    else if (rng.chance(1 / 200)) p.status = 'suspended';
    p.salesforce = home === 'okta' ? reconciledSalesforce(p) : {};
    if (home === 'onelogin' && p.groups.includes('Globex Sales')) {
      p.salesforce = {
        prod: [
          sfUser(p, 'prod', {
            profile: 'Sales User',
            role: 'Sales Rep',
            permissionSets: ['Globex_Pipeline', 'Sales_Cloud_User'],
          }),
        ],
      };
    }
    people.push(p);
  }
  const partners = partnerPeople(people.length + 1);
  for (const p of partners) people.push(p);

  const orgs: Record<string, DemoOrgCatalog> = {};
  for (const org of ['prod', 'emea']) {
    const cat = catalog(org);
    const users = [...people.flatMap((p) => p.salesforce[org] ?? []), ...cat.localUsers];
    const used = (license: string) =>
      users.filter((u) => u.active && profiles.find((pr) => pr.name === u.profile)?.license === license)
        .length;
    orgs[org] = {
      ...cat,
      ...(org === 'prod'
        ? {
            crm: prodCrm(
              partners,
              people.find((p) => p.login === `lee.admin@${ACME_DOMAIN}`),
            ),
          }
        : {}),
      licenses: [
        // Nearly full in prod: a few seats left, enough for the demo's new hires.
        {
          name: 'Salesforce',
          total: org === 'prod' ? used('Salesforce') + NEARLY_FULL_HEADROOM : used('Salesforce') + 50,
        },
        { name: 'Salesforce Platform', total: used('Salesforce Platform') + 20 },
        { name: 'Chatter Free', total: 5000 },
      ],
    };
  }

  return {
    seed,
    people,
    okta: {
      groups: [
        { name: 'Everyone', type: 'BUILT_IN', description: 'All users in your organization' },
        ...OKTA_GROUPS.map((name) => ({ name, type: 'OKTA_GROUP' as const, description: `${name} (Acme)` })),
        { name: 'AD Domain Users', type: 'APP_GROUP', description: 'Imported from Active Directory' },
      ],
      apps: OKTA_APPS.map((a) => ({ ...a, groups: [...a.groups], users: [...a.users] })),
    },
    onelogin: {
      roles: [...ONELOGIN_ROLES],
      apps: ONELOGIN_APPS.map((a) => ({ ...a, roles: [...a.roles], users: [...a.users] })),
    },
    salesforce: orgs,
  };
}
