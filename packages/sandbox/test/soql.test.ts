import { describe, expect, it } from '@jest/globals';
import {
  parseSoql,
  runSoql,
  SoqlError,
  type SObjectSchema,
  type SoqlDatabase,
} from '../src/salesforce/soql/index.js';
import { to18 } from '../src/salesforce/soql/ids.js';

type Row = Record<string, unknown>;

const SCHEMAS: SObjectSchema[] = [
  {
    name: 'UserLicense',
    fields: { Id: { type: 'id' }, Name: { type: 'string' }, TotalLicenses: { type: 'int' } },
  },
  {
    name: 'Profile',
    fields: {
      Id: { type: 'id' },
      Name: { type: 'string' },
      UserLicenseId: { type: 'reference', referenceTo: 'UserLicense', relationshipName: 'UserLicense' },
    },
  },
  {
    name: 'User',
    fields: {
      Id: { type: 'id' },
      Username: { type: 'string' },
      LastName: { type: 'string' },
      Department: { type: 'string' },
      IsActive: { type: 'boolean' },
      ProfileId: { type: 'reference', referenceTo: 'Profile', relationshipName: 'Profile' },
      ManagerId: { type: 'reference', referenceTo: 'User', relationshipName: 'Manager' },
      LanguageLocaleKey: { type: 'picklist' },
      NumberOfFailedLogins: { type: 'int' },
      Score: { type: 'double' },
      HireDate: { type: 'date' },
      CreatedDate: { type: 'datetime' },
    },
  },
  {
    name: 'PermissionSet',
    fields: {
      Id: { type: 'id' },
      Name: { type: 'string' },
      IsOwnedByProfile: { type: 'boolean' },
      ProfileId: { type: 'reference', referenceTo: 'Profile', relationshipName: 'Profile' },
    },
  },
  {
    name: 'PermissionSetAssignment',
    fields: {
      Id: { type: 'id' },
      AssigneeId: { type: 'reference', referenceTo: 'User', relationshipName: 'Assignee' },
      PermissionSetId: { type: 'reference', referenceTo: 'PermissionSet', relationshipName: 'PermissionSet' },
      IsDeleted: { type: 'boolean' },
    },
  },
];

/** A real-shaped 18-character id (valid case-safe suffix) for the given key prefix and sequence number. */
function sfId(prefix: string, n: number): string {
  return to18(`${prefix}${'0'.repeat(12 - String(n).length)}${n}`);
}

class MemoryDb implements SoqlDatabase {
  private readonly tables = new Map<string, Row[]>();
  private readonly index = new Map<string, Map<string, Row>>();
  private readonly schemas = new Map(SCHEMAS.map((s) => [s.name, s]));

  insert(objectName: string, row: Row): Row {
    const table = this.tables.get(objectName) ?? [];
    const ids = this.index.get(objectName) ?? new Map<string, Row>();
    table.push(row);
    ids.set(row.Id as string, row);
    this.tables.set(objectName, table);
    this.index.set(objectName, ids);
    return row;
  }

  schema(objectName: string): SObjectSchema | undefined {
    return this.schemas.get(objectName);
  }
  objectNames(): string[] {
    return [...this.schemas.keys()];
  }
  rows(objectName: string): Iterable<Row> {
    return this.tables.get(objectName) ?? [];
  }
  byId(objectName: string, id: string): Row | undefined {
    return this.index.get(objectName)?.get(id);
  }
}

const LICENSE = sfId('100', 1);
const SALES = sfId('00e', 1);
const ADMIN = sfId('00e', 2);
const ORPHAN_PROFILE = sfId('00e', 3);
const [ANA, BEN, CARA, DAN, EVE] = [1, 2, 3, 4, 5].map((n) => sfId('005', n)) as [
  string,
  string,
  string,
  string,
  string,
];
const [PS_SALES_PROFILE, PS_EXPORT, PS_API] = [1, 2, 3].map((n) => sfId('0PS', n)) as [
  string,
  string,
  string,
];

function fixture(): MemoryDb {
  const db = new MemoryDb();
  db.insert('UserLicense', { Id: LICENSE, Name: 'Salesforce', TotalLicenses: 10 });
  db.insert('Profile', { Id: SALES, Name: 'Sales User', UserLicenseId: LICENSE });
  db.insert('Profile', { Id: ADMIN, Name: 'System Administrator', UserLicenseId: LICENSE });
  db.insert('Profile', { Id: ORPHAN_PROFILE, Name: 'Chatter Free', UserLicenseId: null });
  const user = (Id: string, fields: Row): Row =>
    db.insert('User', {
      Id,
      ProfileId: SALES,
      ManagerId: null,
      IsActive: true,
      LanguageLocaleKey: 'en_US',
      NumberOfFailedLogins: 0,
      Score: null,
      HireDate: null,
      CreatedDate: '2024-01-01T00:00:00.000+0000',
      ...fields,
    });
  user(ANA, {
    Username: 'ana@acme.test',
    LastName: 'Alvarez',
    Department: 'Sales',
    ProfileId: ADMIN,
    Score: 9.5,
    HireDate: '2020-03-01',
  });
  user(BEN, {
    Username: 'ben@acme.test',
    LastName: 'Brown',
    Department: 'Sales',
    ManagerId: ANA,
    NumberOfFailedLogins: 3,
    Score: 4.25,
    HireDate: '2022-07-15',
    CreatedDate: '2024-06-01T12:30:00.000Z',
  });
  user(CARA, {
    Username: 'cara_o@acme.test',
    LastName: "O'Neil",
    Department: null,
    ManagerId: ANA,
    IsActive: false,
    NumberOfFailedLogins: 5,
    HireDate: '2023-01-10',
    CreatedDate: '2025-02-01T08:00:00.000+0000',
  });
  user(DAN, {
    Username: 'dan@acme.test',
    LastName: 'brown',
    Department: 'Finance',
    ManagerId: BEN,
    ProfileId: ORPHAN_PROFILE,
    LanguageLocaleKey: 'de',
  });
  user(EVE, { Username: 'eve@acme.test', LastName: 'Evans', Department: '', ProfileId: null });
  db.insert('PermissionSet', {
    Id: PS_SALES_PROFILE,
    Name: 'X00e_sales',
    IsOwnedByProfile: true,
    ProfileId: SALES,
  });
  db.insert('PermissionSet', {
    Id: PS_EXPORT,
    Name: 'Data_Export',
    IsOwnedByProfile: false,
    ProfileId: null,
  });
  db.insert('PermissionSet', { Id: PS_API, Name: 'Api_Only', IsOwnedByProfile: false, ProfileId: null });
  const psa = (n: number, AssigneeId: string, PermissionSetId: string, IsDeleted = false): Row =>
    db.insert('PermissionSetAssignment', { Id: sfId('0Pa', n), AssigneeId, PermissionSetId, IsDeleted });
  psa(1, BEN, PS_SALES_PROFILE);
  psa(2, CARA, PS_SALES_PROFILE);
  psa(3, BEN, PS_EXPORT);
  psa(4, CARA, PS_API);
  psa(5, ANA, PS_API);
  psa(6, DAN, PS_EXPORT, true);
  return db;
}

const db = fixture();
const usernames = (soql: string): string[] => runSoql(soql, db).records.map((r) => r.Username as string);

function soqlError(soql: string): SoqlError {
  try {
    runSoql(soql, db);
  } catch (error) {
    if (error instanceof SoqlError) return error;
    throw error;
  }
  throw new Error(`expected ${soql} to fail`);
}

describe('SOQL: SELECT shaping', () => {
  it('returns attributes first, then fields in SELECT order with canonical case', () => {
    const result = runSoql(`select username, ID, isactive from USER where id = '${ANA}'`, db, {
      apiVersion: '62.0',
    });
    expect(result).toEqual({
      totalSize: 1,
      isCount: false,
      records: [
        {
          attributes: { type: 'User', url: `/services/data/v62.0/sobjects/User/${ANA}` },
          Username: 'ana@acme.test',
          Id: ANA,
          IsActive: true,
        },
      ],
    });
    expect(Object.keys(result.records[0]!)).toEqual(['attributes', 'Username', 'Id', 'IsActive']);
  });

  it('nests parent fields one and two levels deep, merging fields of the same parent', () => {
    const [ben] = runSoql(
      `SELECT Id, profile.name, Profile.UserLicense.Name, Manager.Username, Profile.Id FROM User WHERE Id = '${BEN}'`,
      db,
    ).records;
    expect(ben).toEqual({
      attributes: { type: 'User', url: `/services/data/v63.0/sobjects/User/${BEN}` },
      Id: BEN,
      Profile: {
        attributes: { type: 'Profile', url: `/services/data/v63.0/sobjects/Profile/${SALES}` },
        Name: 'Sales User',
        UserLicense: {
          attributes: { type: 'UserLicense', url: `/services/data/v63.0/sobjects/UserLicense/${LICENSE}` },
          Name: 'Salesforce',
        },
        Id: SALES,
      },
      Manager: {
        attributes: { type: 'User', url: `/services/data/v63.0/sobjects/User/${ANA}` },
        Username: 'ana@acme.test',
      },
    });
    expect(Object.keys(ben!)).toEqual(['attributes', 'Id', 'Profile', 'Manager']);
  });

  it('renders a null reference as a null parent at whichever level it breaks', () => {
    const records = runSoql(
      `SELECT Username, Profile.UserLicense.Name FROM User WHERE Id IN ('${DAN}', '${EVE}') ORDER BY Username`,
      db,
    ).records;
    expect(records.map((r) => r.Profile)).toEqual([
      {
        attributes: { type: 'Profile', url: `/services/data/v63.0/sobjects/Profile/${ORPHAN_PROFILE}` },
        UserLicense: null,
      },
      null,
    ]);
  });

  it('serves the providers’ assignment query with relationship filters', () => {
    const records = runSoql(
      `SELECT Assignee.Username, PermissionSet.Name FROM PermissionSetAssignment
       WHERE PermissionSet.IsOwnedByProfile = false AND Assignee.IsActive = true
       ORDER BY Assignee.Username`,
      db,
    ).records;
    expect(records.map((r) => [(r.Assignee as Row).Username, (r.PermissionSet as Row).Name])).toEqual([
      ['ana@acme.test', 'Api_Only'],
      ['ben@acme.test', 'Data_Export'],
    ]);
  });

  it('leaves deleted rows out unless includeDeleted (queryAll) is set', () => {
    const soql = `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${DAN}'`;
    expect(runSoql(soql, db).totalSize).toBe(0);
    expect(runSoql(soql, db, { includeDeleted: true }).totalSize).toBe(1);
  });
});

describe('SOQL: WHERE', () => {
  it.each<[string, string[]]>([
    ["Username = 'ANA@acme.test'", ['ana@acme.test']],
    ["LastName = 'brown'", ['ben@acme.test', 'dan@acme.test']],
    ["LastName != 'Brown'", ['ana@acme.test', 'cara_o@acme.test', 'eve@acme.test']],
    ["LastName <> 'Brown'", ['ana@acme.test', 'cara_o@acme.test', 'eve@acme.test']],
    ["LastName = 'O\\'Neil'", ['cara_o@acme.test']],
    ['IsActive = TRUE', ['ana@acme.test', 'ben@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ['IsActive = false', ['cara_o@acme.test']],
    ['NumberOfFailedLogins > 0', ['ben@acme.test', 'cara_o@acme.test']],
    ['NumberOfFailedLogins >= 3', ['ben@acme.test', 'cara_o@acme.test']],
    ['NumberOfFailedLogins < 3', ['ana@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ['NumberOfFailedLogins <= 3', ['ana@acme.test', 'ben@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ['Score > 4.3', ['ana@acme.test']],
    ['Score < -1', []],
    ['Score = null', ['cara_o@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ['Score != null', ['ana@acme.test', 'ben@acme.test']],
    // Blank text is stored as null in Salesforce, so '' and null are interchangeable.
    ["Department = ''", ['cara_o@acme.test', 'eve@acme.test']],
    ['Department = null', ['cara_o@acme.test', 'eve@acme.test']],
    // No three-valued logic: a null field is "not equal" to any value.
    ["Department != 'Sales'", ['cara_o@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ["Department < 'Sales'", ['dan@acme.test']],
    ['HireDate > 2022-01-01', ['ben@acme.test', 'cara_o@acme.test']],
    ['HireDate = 2020-03-01', ['ana@acme.test']],
    ['CreatedDate > 2024-01-01T00:00:00Z', ['ben@acme.test', 'cara_o@acme.test']],
    ['CreatedDate >= 2024-06-01T14:30:00+02:00', ['ben@acme.test', 'cara_o@acme.test']],
    ['CreatedDate < 2024-06-01T14:30:00+02:00', ['ana@acme.test', 'dan@acme.test', 'eve@acme.test']],
    [`ManagerId = '${ANA}'`, ['ben@acme.test', 'cara_o@acme.test']],
    [`ManagerId = '${ANA.slice(0, 15)}'`, ['ben@acme.test', 'cara_o@acme.test']],
    [`Id = '${BEN.slice(0, 15)}'`, ['ben@acme.test']],
    ["Manager.Username = 'ana@acme.test'", ['ben@acme.test', 'cara_o@acme.test']],
    ['Manager.IsActive = true', ['ben@acme.test', 'cara_o@acme.test', 'dan@acme.test']],
    ["Profile.UserLicense.Name = 'salesforce'", ['ana@acme.test', 'ben@acme.test', 'cara_o@acme.test']],
    ["LanguageLocaleKey = 'EN_us'", ['ana@acme.test', 'ben@acme.test', 'cara_o@acme.test', 'eve@acme.test']],
  ])('%s', (where, expected) => {
    expect(usernames(`SELECT Username FROM User WHERE ${where} ORDER BY Username`)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    [
      "'%@acme.test'",
      ['ana@acme.test', 'ben@acme.test', 'cara_o@acme.test', 'dan@acme.test', 'eve@acme.test'],
    ],
    ["'B%'", ['ben@acme.test']],
    ["'_an@%'", ['dan@acme.test']],
    ["'%\\_%'", ['cara_o@acme.test']],
    ["'ana@acme.test'", ['ana@acme.test']],
    ["'ana'", []],
    ["'%.TEST'", ['ana@acme.test', 'ben@acme.test', 'cara_o@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ["'a(n|x)a%'", []],
  ])('LIKE %s', (pattern, expected) => {
    expect(usernames(`SELECT Username FROM User WHERE Username LIKE ${pattern} ORDER BY Username`)).toEqual(
      expected,
    );
  });

  it.each<[string, string[]]>([
    ["Department IN ('sales', 'Finance')", ['ana@acme.test', 'ben@acme.test', 'dan@acme.test']],
    ["Department NOT IN ('Sales')", ['cara_o@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ["Department IN ('Finance', null)", ['cara_o@acme.test', 'dan@acme.test', 'eve@acme.test']],
    [`Id IN ('${ANA}', '${CARA.slice(0, 15)}', '${ANA}')`, ['ana@acme.test', 'cara_o@acme.test']],
    [`Id NOT IN ('${ANA}', '${CARA}')`, ['ben@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ['NumberOfFailedLogins IN (3, 5)', ['ben@acme.test', 'cara_o@acme.test']],
    ["Manager.Username IN ('ben@acme.test')", ['dan@acme.test']],
    [`Id IN ('${ANA}') AND IsActive = false`, []],
  ])('%s', (where, expected) => {
    expect(usernames(`SELECT Username FROM User WHERE ${where} ORDER BY Username`)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ["Department = 'Sales' AND IsActive = true AND NumberOfFailedLogins > 0", ['ben@acme.test']],
    [
      "Department = 'Finance' OR IsActive = false OR Score > 9",
      ['ana@acme.test', 'cara_o@acme.test', 'dan@acme.test'],
    ],
    [
      "(Department = 'Sales' AND IsActive = true) OR LastName = 'Evans'",
      ['ana@acme.test', 'ben@acme.test', 'eve@acme.test'],
    ],
    ["Department = 'Sales' AND (IsActive = false OR NumberOfFailedLogins > 0)", ['ben@acme.test']],
    ["NOT Department = 'Sales'", ['cara_o@acme.test', 'dan@acme.test', 'eve@acme.test']],
    ["NOT (Department = 'Sales' OR Department = null)", ['dan@acme.test']],
    ["IsActive = true AND (NOT LastName LIKE 'b%')", ['ana@acme.test', 'eve@acme.test']],
    ["((Username = 'ana@acme.test'))", ['ana@acme.test']],
  ])('%s', (where, expected) => {
    expect(usernames(`SELECT Username FROM User WHERE ${where} ORDER BY Username`)).toEqual(expected);
  });

  it('refuses to guess AND/OR precedence, as Salesforce does', () => {
    const error = soqlError(
      "SELECT Id FROM User WHERE IsActive = true AND Department = 'Sales' OR LastName = 'x'",
    );
    expect(error.errorCode).toBe('MALFORMED_QUERY');
    expect(error.message).toContain("unexpected token: 'OR'");
    expect(
      soqlError("SELECT Id FROM User WHERE IsActive = true AND NOT Department = 'Sales'").message,
    ).toContain("unexpected token: 'NOT'");
  });

  it('compares ids by their case-sensitive 15-character form', () => {
    const names = (id: string): unknown[] =>
      runSoql(`SELECT Name FROM Profile WHERE Id = '${id}'`, db).records.map((r) => r.Name);
    expect(names(SALES)).toEqual(['Sales User']);
    expect(names(SALES.slice(0, 15))).toEqual(['Sales User']);
    expect(names(`${SALES.slice(0, 15)}${SALES.slice(15).toLowerCase()}`)).toEqual(['Sales User']);
    expect(names(SALES.slice(0, 15).toUpperCase())).toEqual([]);
  });

  it('supports semi-joins and anti-joins on id fields', () => {
    const inner = `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'Api_Only'`;
    expect(usernames(`SELECT Username FROM User WHERE Id IN (${inner}) ORDER BY Username`)).toEqual([
      'ana@acme.test',
      'cara_o@acme.test',
    ]);
    expect(usernames(`SELECT Username FROM User WHERE Id NOT IN (${inner}) ORDER BY Username`)).toEqual([
      'ben@acme.test',
      'dan@acme.test',
      'eve@acme.test',
    ]);
  });

  it('resolves TODAY, YESTERDAY and LAST_N_DAYS against the given clock in UTC', () => {
    const now = () => new Date('2024-06-02T09:00:00Z');
    const run = (where: string): unknown[] =>
      runSoql(`SELECT Username FROM User WHERE ${where} ORDER BY Username`, db, { now }).records.map(
        (r) => r.Username,
      );
    expect(run('CreatedDate = YESTERDAY')).toEqual(['ben@acme.test']);
    expect(run('CreatedDate = TODAY')).toEqual([]);
    expect(run('CreatedDate > TODAY')).toEqual(['cara_o@acme.test']);
    expect(run('CreatedDate = LAST_N_DAYS:2')).toEqual(['ben@acme.test']);
    expect(run('HireDate < TODAY')).toEqual(['ana@acme.test', 'ben@acme.test', 'cara_o@acme.test']);
    expect(run('HireDate = LAST_N_DAYS:600')).toEqual(['cara_o@acme.test']);
  });
});

describe('SOQL: lexing and the Id fast path', () => {
  it('accepts any keyword case and whitespace, including newlines and tabs', () => {
    expect(
      usernames(
        `\n  sElEcT\tUsername\n,Id  FrOm user\r\n wHeRe(isactive=TRUE)and(NOT\nlastname   LIKE 'b%')\norder\tby username desc nulls last limit 1 offset 1\n`,
      ),
    ).toEqual(['ana@acme.test']);
  });

  it('decodes string escapes', () => {
    expect(
      usernames("SELECT Username FROM User WHERE LastName IN ('O\\'Neil', 'x\\n\\\\y', '\\u0041lvarez')"),
    ).toEqual(['ana@acme.test', 'cara_o@acme.test']);
  });

  it('answers Id lookups by id without scanning, skipping unknown and deleted rows', () => {
    const scans: string[] = [];
    const spy: SoqlDatabase = {
      schema: (n) => db.schema(n),
      objectNames: () => db.objectNames(),
      rows: (n) => {
        scans.push(n);
        return db.rows(n);
      },
      byId: (n, id) => db.byId(n, id),
    };
    const missing = sfId('005', 999);
    const ids = (soql: string, options = {}): unknown[] =>
      runSoql(soql, spy, options).records.map((r) => r.Id);
    expect(ids(`SELECT Id FROM User WHERE Id IN ('${ANA}', '${missing}', '${BEN.slice(0, 15)}')`)).toEqual([
      ANA,
      BEN,
    ]);
    expect(ids(`SELECT Id FROM User WHERE Id = '${CARA}' AND IsActive = true`)).toEqual([]);
    const deleted = sfId('0Pa', 6);
    expect(ids(`SELECT Id FROM PermissionSetAssignment WHERE Id = '${deleted}'`)).toEqual([]);
    expect(
      ids(`SELECT Id FROM PermissionSetAssignment WHERE Id = '${deleted}'`, { includeDeleted: true }),
    ).toEqual([deleted]);
    expect(scans).toEqual([]);
  });

  it('returns fresh records, so callers cannot corrupt the store through a result', () => {
    const [record] = runSoql(`SELECT Id, Username FROM User WHERE Id = '${ANA}'`, db).records;
    record!.Username = 'changed';
    expect(usernames(`SELECT Username FROM User WHERE Id = '${ANA}'`)).toEqual(['ana@acme.test']);
  });
});

describe('SOQL: ORDER BY, LIMIT, OFFSET, COUNT()', () => {
  it.each<[string, string[]]>([
    ['LastName', ['ana@acme.test', 'ben@acme.test', 'dan@acme.test', 'eve@acme.test', 'cara_o@acme.test']],
    [
      'LastName DESC, Username DESC',
      ['cara_o@acme.test', 'eve@acme.test', 'dan@acme.test', 'ben@acme.test', 'ana@acme.test'],
    ],
    [
      'Department, Username',
      ['cara_o@acme.test', 'eve@acme.test', 'dan@acme.test', 'ana@acme.test', 'ben@acme.test'],
    ],
    [
      'Department NULLS LAST, Username',
      ['dan@acme.test', 'ana@acme.test', 'ben@acme.test', 'cara_o@acme.test', 'eve@acme.test'],
    ],
    [
      'Department DESC, Username',
      ['ana@acme.test', 'ben@acme.test', 'dan@acme.test', 'cara_o@acme.test', 'eve@acme.test'],
    ],
    [
      'Department DESC NULLS FIRST, Username ASC',
      ['cara_o@acme.test', 'eve@acme.test', 'ana@acme.test', 'ben@acme.test', 'dan@acme.test'],
    ],
    [
      'IsActive, NumberOfFailedLogins DESC, Username',
      ['cara_o@acme.test', 'ben@acme.test', 'ana@acme.test', 'dan@acme.test', 'eve@acme.test'],
    ],
    [
      'CreatedDate DESC, Username',
      ['cara_o@acme.test', 'ben@acme.test', 'ana@acme.test', 'dan@acme.test', 'eve@acme.test'],
    ],
    [
      'Manager.Username NULLS LAST, Username',
      ['ben@acme.test', 'cara_o@acme.test', 'dan@acme.test', 'ana@acme.test', 'eve@acme.test'],
    ],
  ])('ORDER BY %s', (orderBy, expected) => {
    expect(usernames(`SELECT Username FROM User ORDER BY ${orderBy}`)).toEqual(expected);
  });

  it.each<[string, string[]]>([
    ['LIMIT 2', ['ana@acme.test', 'ben@acme.test']],
    ['LIMIT 2 OFFSET 3', ['dan@acme.test', 'eve@acme.test']],
    ['OFFSET 4', ['eve@acme.test']],
    ['LIMIT 0', []],
    ['LIMIT 10 OFFSET 10', []],
  ])('%s', (tail, expected) => {
    expect(usernames(`SELECT Username FROM User ORDER BY Username ${tail}`)).toEqual(expected);
  });

  it('counts with COUNT(), honouring WHERE and LIMIT', () => {
    expect(runSoql('SELECT COUNT() FROM User', db)).toEqual({ totalSize: 5, records: [], isCount: true });
    expect(runSoql('select count() from User where IsActive = true', db).totalSize).toBe(4);
    expect(runSoql('SELECT COUNT() FROM User LIMIT 2', db).totalSize).toBe(2);
  });

  it('exposes the parsed AST', () => {
    const query = parseSoql(
      'SELECT Id, Profile.Name FROM User WHERE IsActive = true ORDER BY Username DESC LIMIT 5',
    );
    expect(query.select.map((s) => (s.kind === 'field' ? s.path : 'count'))).toEqual([
      ['Id'],
      ['Profile', 'Name'],
    ]);
    expect(query.from.name).toBe('User');
    expect(query.where).toMatchObject({ kind: 'compare', op: '=', value: { kind: 'boolean', value: true } });
    expect(query.orderBy).toMatchObject([{ descending: true, nullsLast: true }]);
    expect(query.limit).toBe(5);
  });
});

describe('SOQL: errors', () => {
  it('reports an unknown field with the Salesforce position banner', () => {
    const error = soqlError('SELECT Foo FROM User');
    expect(error.errorCode).toBe('INVALID_FIELD');
    expect(error.message).toBe(
      "\nSELECT Foo FROM User\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'User'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
    );
  });

  it('reports the row and column on multi-line queries', () => {
    expect(soqlError('SELECT Id\nFROM User\nWHERE  Nope = 1').message).toMatch(
      /^\nWHERE {2}Nope = 1\n {7}\^\nERROR at Row:3:Column:8\nNo such column 'Nope'/,
    );
  });

  it.each<[string, string, string]>([
    ['SELECT Id FROM Foo', 'INVALID_TYPE', "sObject type 'Foo' is not supported."],
    ['SELECT Id FROM User WHERE Foo = 1', 'INVALID_FIELD', "No such column 'Foo' on entity 'User'"],
    ['SELECT Profile.Nope FROM User', 'INVALID_FIELD', "No such column 'Nope' on entity 'Profile'"],
    ['SELECT Boss.Name FROM User', 'INVALID_FIELD', "Didn't understand relationship 'Boss' in field path"],
    ['SELECT ProfileId.Name FROM User', 'INVALID_FIELD', "Didn't understand relationship 'ProfileId'"],
    ['SELECT Username FROM User ORDER BY Nope', 'INVALID_FIELD', "No such column 'Nope'"],
    ['SELECT Id, id FROM User', 'MALFORMED_QUERY', 'duplicate field selected: Id'],
    ['SELECT FROM User', 'MALFORMED_QUERY', "unexpected token: 'FROM'"],
    ['SELECT Id User', 'MALFORMED_QUERY', "unexpected token: 'User'"],
    ['SELECT Id FROM User WHERE', 'MALFORMED_QUERY', 'unexpected token: <EOF>'],
    ['SELECT Id FROM User WHERE IsActive', 'MALFORMED_QUERY', 'unexpected token: <EOF>'],
    ['SELECT Id FROM User WHERE (IsActive = true', 'MALFORMED_QUERY', 'unexpected token: <EOF>'],
    ["SELECT Id FROM User WHERE Username = 'open", 'MALFORMED_QUERY', 'unterminated string literal'],
    ['SELECT Id FROM User LIMIT 5 trailing', 'MALFORMED_QUERY', "unexpected token: 'trailing'"],
    ['SELECT Id FROM User LIMIT -1', 'MALFORMED_QUERY', 'LIMIT must be a non-negative integer'],
    ['SELECT Id FROM User OFFSET 2001', 'MALFORMED_QUERY', 'Maximum SOQL offset allowed is 2000'],
    ['SELECT Id FROM User GROUP BY Id', 'MALFORMED_QUERY', "unexpected token: 'GROUP'"],
    ['SELECT COUNT(Id) FROM User', 'MALFORMED_QUERY', 'COUNT(fieldName)'],
    ['SELECT Id, COUNT() FROM User', 'MALFORMED_QUERY', 'COUNT() must be the only element'],
    ['SELECT Id, (SELECT Id FROM Assignments) FROM User', 'MALFORMED_QUERY', 'sub-queries are not supported'],
    ['SELECT Id FROM User WHERE Id IN ()', 'MALFORMED_QUERY', "unexpected token: ')'"],
    ['SELECT Id FROM User WHERE Id = :bound', 'MALFORMED_QUERY', "unexpected token: ':'"],
    ['SELECT Id FROM User WHERE HireDate = 2024-02-30', 'MALFORMED_QUERY', 'invalid date'],
    ["SELECT Id FROM User WHERE Username = 'a\\qb'", 'MALFORMED_QUERY', 'Invalid string literal'],
    [
      "SELECT Id FROM User WHERE IsActive = 'true'",
      'INVALID_FIELD',
      "value of filter criterion for field 'IsActive' must be of type boolean and should not be enclosed in quotes",
    ],
    [
      'SELECT Id FROM User WHERE Username = 5',
      'INVALID_FIELD',
      "field 'Username' must be of type string and should be enclosed in quotes",
    ],
    ["SELECT Id FROM User WHERE NumberOfFailedLogins = '3'", 'INVALID_FIELD', 'must be of type integer'],
    ["SELECT Id FROM User WHERE HireDate > '2024-01-01'", 'INVALID_FIELD', 'must be of type date'],
    ['SELECT Id FROM User WHERE CreatedDate > 2024-01-01', 'INVALID_FIELD', 'must be of type dateTime'],
    ['SELECT Id FROM User WHERE Username = TODAY', 'INVALID_FIELD', 'must be of type string'],
    [
      'SELECT Id FROM User WHERE Manager.IsActive = 1',
      'INVALID_FIELD',
      "field 'IsActive' must be of type boolean",
    ],
    ["SELECT Id FROM User WHERE Id = 'not-an-id'", 'INVALID_FIELD', 'invalid ID field: not-an-id'],
    ['SELECT Id FROM User WHERE IsActive > false', 'INVALID_FIELD', 'invalid operator on boolean field'],
    ["SELECT Id FROM User WHERE IsActive LIKE 'true'", 'INVALID_FIELD', 'invalid operator on boolean field'],
    ['SELECT Id FROM User WHERE Username LIKE null', 'INVALID_FIELD', 'must be of type string'],
    [
      'SELECT Id FROM User WHERE Username IN (SELECT Id FROM User)',
      'INVALID_FIELD',
      'semi join must be an Id',
    ],
    [
      'SELECT Id FROM User WHERE Id IN (SELECT Username FROM User)',
      'INVALID_FIELD',
      'must be an Id or reference field',
    ],
    [
      'SELECT Id FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE AssigneeId IN (SELECT Id FROM User))',
      'MALFORMED_QUERY',
      'Nesting of semi join sub-selects is not supported',
    ],
  ])('%s → %s', (soql, code, message) => {
    const error = soqlError(soql);
    expect(error.errorCode).toBe(code);
    expect(error.message).toContain(message);
  });
});

describe('SOQL at scale', () => {
  // Correctness on a 100k-user org; its wall time belongs to the benchmarks (bench:snapshot reads
  // orgs this size through the sandbox), not to a timed test on a shared machine.
  it('filters 300k assignments through two relationship hops, sorts and looks up by id', () => {
    const big = new MemoryDb();
    big.insert('UserLicense', { Id: LICENSE, Name: 'Salesforce', TotalLicenses: 200_000 });
    big.insert('Profile', { Id: SALES, Name: 'Sales User', UserLicenseId: LICENSE });
    const sets = Array.from({ length: 50 }, (_, i) =>
      big.insert('PermissionSet', {
        Id: sfId('0PS', i),
        Name: `Set_${i}`,
        IsOwnedByProfile: i === 0,
        ProfileId: null,
      }),
    );
    for (let u = 0; u < 100_000; u++) {
      const Id = sfId('005', u);
      big.insert('User', {
        Id,
        Username: `user${u}@acme.test`,
        LastName: `Last${u % 997}`,
        IsActive: u % 10 !== 0,
        ProfileId: SALES,
        ManagerId: null,
      });
      for (let k = 0; k < 3; k++) {
        big.insert('PermissionSetAssignment', {
          Id: sfId('0Pa', u * 3 + k),
          AssigneeId: Id,
          PermissionSetId: sets[k === 0 ? 0 : (u + k * 7) % 50]!.Id,
          IsDeleted: false,
        });
      }
    }
    const result = runSoql(
      `SELECT Id, AssigneeId, Assignee.Username, PermissionSet.Name FROM PermissionSetAssignment
       WHERE PermissionSet.IsOwnedByProfile = false AND Assignee.IsActive = true`,
      big,
    );
    const sorted = runSoql(
      "SELECT Id, Username FROM User WHERE IsActive = true AND Username LIKE 'user1%' ORDER BY LastName DESC, Username",
      big,
    );
    const byId = runSoql(`SELECT Username FROM User WHERE Id = '${sfId('005', 4242).slice(0, 15)}'`, big);

    const expected = [...big.rows('PermissionSetAssignment')].filter(
      (a) =>
        big.byId('PermissionSet', a.PermissionSetId as string)?.IsOwnedByProfile === false &&
        big.byId('User', a.AssigneeId as string)?.IsActive === true,
    ).length;
    expect(expected).toBeGreaterThan(150_000);
    expect(result.totalSize).toBe(expected);
    expect(sorted.totalSize).toBe(10_000);
    expect(byId.records[0]?.Username).toBe('user4242@acme.test');
  });
});
