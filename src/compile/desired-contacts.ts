import type { Finding } from '../model/findings.js';
import type { Attributes, SalesforceContact, SalesforceSnapshot } from '../model/snapshot.js';
import type { ContactSync } from '../policy/types.js';
import { conditionTest } from './conditions.js';
import type { Person } from './people.js';
import { renderTemplate } from './templates.js';

/**
 * Desired Contacts of one org (UC-14 partner contacts, UC-15 contact enrichment): each person a
 * contact declaration claims, under which Account and with which owned fields, and the Contacts
 * of people who left, which get the declaration's inactive treatment (never a delete).
 */

export type ContactValue = string | boolean | null;

export interface AccountRef {
  /** The Account field looked up, and the value looked for. */
  field: string;
  value: string;
}

export interface DesiredContact {
  org: string;
  /** The declaration's id (`contacts[id]`). */
  sync: string;
  /** The person's login, or the external id of a Contact whose person is gone. */
  key: string;
  person?: string;
  externalIdField: string;
  externalId: string;
  live?: SalesforceContact;
  /** False: the leaver treatment, only `fields` (the inactive field) is written. */
  present: boolean;
  /** Owned fields (with the source tag and the inactive field), by API name. */
  fields: Record<string, ContactValue>;
  /** The declaration's leaver treatment (field and value). */
  inactive: { field: string; value: string | boolean };
  /** The Account a present Contact goes under; its live id when it exists. */
  account?: AccountRef & { id?: string };
  fact: string;
  rule: string;
}

/** An Account to create because a present Contact needs it and the declaration allows it. */
export interface DesiredCrmAccount extends AccountRef {
  org: string;
  fields: Record<string, string | null>;
  rule: string;
  fact: string;
}

export interface ContactsResult {
  contacts: DesiredContact[];
  accounts: DesiredCrmAccount[];
  findings: Finding[];
}

export const DEFAULT_EXTERNAL_ID = '{idp}:{idpId}';

/** `DEFAULT_EXTERNAL_ID` rendered for a person, without building their template attributes. */
export const defaultExternalId = (p: Person): string => `${p.home}:${p.homeAccount.id || ''}`;

/** The value a present person's Contact has in the inactive field. */
export const activeValueOf = (inactive: ContactSync['inactive']): ContactValue =>
  inactive.activeValue !== undefined
    ? inactive.activeValue
    : typeof inactive.value === 'boolean'
      ? false
      : null;

/** A person's attributes with the ones only contact templates use: their directory, id there and email domain. */
export function contactAttributes(p: Person): Attributes {
  const email = p.facts.attributes.email ?? p.homeAccount.email;
  const at = email.lastIndexOf('@');
  return {
    ...p.facts.attributes,
    idp: p.home,
    idpId: p.homeAccount.id || null,
    emailDomain: at >= 0 ? email.slice(at + 1).toLowerCase() : null,
  };
}

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);
const accountKey = (field: string, value: string) => `${field.toLowerCase()}\n${value.toLowerCase()}`;

export function desiredContacts(
  org: string,
  syncs: readonly ContactSync[],
  snapshot: SalesforceSnapshot,
  people: readonly Person[],
): ContactsResult {
  if (syncs.length === 0 || !snapshot.contacts || !snapshot.accounts)
    return { contacts: [], accounts: [], findings: [] };
  const org_ = new OrgContacts(org, syncs, snapshot, snapshot.contacts, snapshot.accounts);
  for (const sync of syncs) {
    const when = conditionTest(sync.when);
    for (const p of people) if (p.active && !org_.taken.has(p) && when(p.facts)) org_.present(sync, p);
  }
  org_.missingAccounts();
  org_.leavers(people);
  return org_.out;
}

/** One org's contact declarations against its snapshot: what is claimed, created and missing. */
class OrgContacts {
  readonly out: ContactsResult = { contacts: [], accounts: [], findings: [] };
  /** People claimed by a declaration (the first whose `when` they meet). */
  readonly taken = new Set<Person>();
  private readonly byExternalId = new Map<string, SalesforceContact>();
  private readonly accountIds = new Map<string, string>();
  /** Lookups two or more Accounts answer: accord will not guess between them. */
  private readonly ambiguous = new Set<string>();
  private readonly creating = new Map<string, DesiredCrmAccount>();
  private readonly claimed = new Set<SalesforceContact>();
  private readonly missing = new Map<
    string,
    { sync: ContactSync; ref: AccountRef; people: string[]; ambiguous?: boolean }
  >();

  constructor(
    private readonly org: string,
    private readonly syncs: readonly ContactSync[],
    private readonly snapshot: SalesforceSnapshot,
    private readonly contacts: readonly SalesforceContact[],
    accounts: NonNullable<SalesforceSnapshot['accounts']>,
  ) {
    for (const s of syncs) {
      for (const c of contacts) {
        const key = lower(c.fields[s.externalId.field]);
        if (key !== undefined) this.byExternalId.set(`${s.externalId.field}\n${key}`, c);
      }
      for (const a of accounts) {
        const v = lower(a.fields[s.account.field]);
        if (v === undefined) continue;
        const key = accountKey(s.account.field, v);
        const other = this.accountIds.get(key);
        if (other !== undefined && other !== a.id) this.ambiguous.add(key);
        else this.accountIds.set(key, a.id);
      }
    }
  }

  /** A person a declaration claims: their Contact as it should be, under its Account. */
  present(sync: ContactSync, p: Person): void {
    this.taken.add(p);
    const rule = `contacts["${sync.id}"]`;
    const attributes = contactAttributes(p);
    const externalId = renderTemplate(sync.externalId.value ?? DEFAULT_EXTERNAL_ID, attributes);
    if (!externalId) return;
    const live = this.byExternalId.get(`${sync.externalId.field}\n${externalId.toLowerCase()}`);
    if (live) this.claimed.add(live);
    const account = this.account(sync, p, attributes, rule);
    if (!account) return;
    const fields: Record<string, ContactValue> = {};
    for (const [f, t] of Object.entries(sync.fields)) fields[f] = renderTemplate(t, attributes);
    fields[sync.source.field] = sync.source.value;
    fields[sync.inactive.field] = activeValueOf(sync.inactive);
    this.out.contacts.push({
      org: this.org,
      sync: sync.id,
      key: p.key,
      person: p.key,
      externalIdField: sync.externalId.field,
      externalId,
      ...(live ? { live } : {}),
      present: true,
      fields,
      inactive: { field: sync.inactive.field, value: sync.inactive.value },
      account,
      fact: `${p.home} ${p.homeAccount.rawStatus}, matched by contacts "${sync.id}"`,
      rule,
    });
  }

  /** The person's Account: found, to be created, or (undefined) missing with a finding. */
  private account(
    sync: ContactSync,
    p: Person,
    attributes: Attributes,
    rule: string,
  ): DesiredContact['account'] | undefined {
    const value = renderTemplate(sync.account.value, attributes);
    if (!value) {
      this.out.findings.push({
        code: 'missing-account',
        severity: 'block',
        platform: this.snapshot.platform,
        person: p.key,
        rule,
        message: `${p.key} has no value for the Account lookup "${sync.account.value}" in ${this.org}; their Contact is not planned`,
      });
      return undefined;
    }
    const ref: AccountRef = { field: sync.account.field, value };
    const key = accountKey(ref.field, value);
    if (this.ambiguous.has(key)) {
      const m =
        this.missing.get(key) ?? this.missing.set(key, { sync, ref, people: [], ambiguous: true }).get(key)!;
      m.people.push(p.key);
      return undefined;
    }
    const id = this.accountIds.get(key);
    if (id) return { ...ref, id };
    if (!sync.account.create) {
      const m = this.missing.get(key) ?? this.missing.set(key, { sync, ref, people: [] }).get(key)!;
      m.people.push(p.key);
      return undefined;
    }
    if (!this.creating.has(key)) {
      const fields: Record<string, string | null> = {};
      for (const [f, t] of Object.entries(sync.account.create)) fields[f] = renderTemplate(t, attributes);
      fields[ref.field] = value;
      const fact = `no Account has ${ref.field} = ${value}`;
      this.creating.set(key, { org: this.org, ...ref, fields, rule, fact });
      this.out.accounts.push(this.creating.get(key)!);
    }
    return ref;
  }

  /** One blocking finding per Account that is missing (and may not be created) or ambiguous. */
  missingAccounts(): void {
    for (const { sync, ref, people, ambiguous } of this.missing.values())
      this.out.findings.push({
        code: 'missing-account',
        severity: 'block',
        platform: this.snapshot.platform,
        rule: `contacts["${sync.id}"]`,
        message: ambiguous
          ? `several Accounts in ${this.org} have ${ref.field} = ${ref.value}: the Contacts of ${people.join(', ')} are not planned; make the value unique or look Accounts up by another field`
          : `no Account in ${this.org} has ${ref.field} = ${ref.value}, and contacts "${sync.id}" does not create Accounts: the Contacts of ${people.join(', ')} are not planned; create the Account or declare account.create`,
      });
  }

  /** Leavers: a Contact tagged with a declaration's source that no present person claims. */
  leavers(people: readonly Person[]): void {
    const personOf = peopleByExternalId(people);
    for (const c of this.contacts) {
      if (this.claimed.has(c)) continue;
      const sync = this.syncs.find(
        (s) =>
          c.fields[s.source.field] === s.source.value && lower(c.fields[s.externalId.field]) !== undefined,
      );
      if (!sync || (c.fields[sync.inactive.field] ?? null) === sync.inactive.value) continue;
      const externalId = String(c.fields[sync.externalId.field]);
      const person = personOf(sync, externalId);
      this.out.contacts.push({
        org: this.org,
        sync: sync.id,
        key: person?.key ?? externalId,
        ...(person ? { person: person.key } : {}),
        externalIdField: sync.externalId.field,
        externalId,
        live: c,
        present: false,
        fields: { [sync.inactive.field]: sync.inactive.value },
        inactive: { field: sync.inactive.field, value: sync.inactive.value },
        fact: person
          ? person.active
            ? `${person.key} no longer meets contacts "${sync.id}"`
            : `left: ${person.home} ${person.homeAccount.rawStatus}`
          : `no person has external id ${externalId}`,
        rule: `contacts["${sync.id}"].inactive`,
      });
    }
  }
}

/** The person (active or not) whose external id, by a declaration's template, is a value; indexed on first use per template. */
function peopleByExternalId(people: readonly Person[]) {
  const indexes = new Map<string, Map<string, Person>>();
  return (sync: ContactSync, externalId: string): Person | undefined => {
    const template = sync.externalId.value ?? DEFAULT_EXTERNAL_ID;
    let index = indexes.get(template);
    if (!index) {
      index = new Map();
      // The default template spelled directly: this runs over every person (100k on a large
      // estate), and building each one's template attributes was most of the contacts' cost.
      const keyOf =
        template === DEFAULT_EXTERNAL_ID
          ? (p: Person) => defaultExternalId(p).toLowerCase()
          : (p: Person) => lower(renderTemplate(template, contactAttributes(p)));
      for (const p of people) {
        const key = keyOf(p);
        if (key !== undefined && !index.has(key)) index.set(key, p);
      }
      indexes.set(template, index);
    }
    return index.get(externalId.toLowerCase());
  };
}
