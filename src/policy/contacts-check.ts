import { child, diagnosticAt, whereIs, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import { didYouMean } from './suggest.js';
import { templateProblems } from './template-syntax.js';
import type { ContactSync } from './types.js';

/**
 * Checks of the `contacts` declarations (UC-14, UC-15): a declaration that validates does what it
 * says. Its org exists; every field it names is a field name; the Contact fields it owns include
 * the ones Salesforce requires on create (LastName), and the Account it may create has a Name;
 * no field is owned twice (by `fields` and by the source tag, the inactive flag or the external
 * id); two declarations of an org tag their Contacts apart; the external id is a custom field (only those can be
 * External IDs); templates are well formed; and the Account lookup's value can be worked out.
 */

const FIELD = /^[A-Za-z][A-Za-z0-9_]*$/;

export function checkContacts(c: Collected, orgKeys: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (at: Located<unknown>, code: string, message: string, hint: string) =>
    out.push(diagnosticAt(at, 'error', code, message, hint));
  const ids = new Map<string, Located<ContactSync>>();
  const sources = new Map<string, Located<ContactSync>>();
  for (const at of c.contacts) {
    const s = at.value;
    const name = `contacts "${s.id}"`;
    const earlier = ids.get(s.id);
    if (earlier)
      error(
        child(at, 'id', s.id),
        'contacts.duplicate',
        `${name} is declared twice (first at ${whereIs(earlier)})`,
        'give each contact declaration its own id',
      );
    else ids.set(s.id, at);
    if (!orgKeys.includes(s.org)) {
      const guess = didYouMean(s.org, orgKeys);
      error(
        child(at, 'org', s.org),
        'contacts.unknown-org',
        `${name} names Salesforce org "${s.org}", which no document declares under "platforms"`,
        guess ?? `declare it under "platforms": { "salesforce": { "${s.org}": {} } }`,
      );
    }

    const named: [Located<unknown>, string][] = [
      [child(child(at, 'externalId', null), 'field', s.externalId.field), s.externalId.field],
      [child(child(at, 'source', null), 'field', s.source.field), s.source.field],
      [child(child(at, 'inactive', null), 'field', s.inactive.field), s.inactive.field],
      [child(child(at, 'account', null), 'field', s.account.field), s.account.field],
      ...Object.keys(s.fields).map((f): [Located<unknown>, string] => [
        child(child(at, 'fields', null), f, f),
        f,
      ]),
      ...Object.keys(s.account.create ?? {}).map((f): [Located<unknown>, string] => [
        child(child(child(at, 'account', null), 'create', null), f, f),
        f,
      ]),
    ];
    for (const [where, field] of named)
      if (!FIELD.test(field))
        error(
          where,
          'contacts.bad-field',
          `"${field}" is not a Salesforce field name`,
          'use the API name: letters, digits and "_", starting with a letter (custom fields end in __c)',
        );

    if (!('LastName' in s.fields))
      error(
        child(at, 'fields', s.fields),
        'contacts.required-field',
        `${name} creates Contacts without LastName, which Salesforce requires (REQUIRED_FIELD_MISSING)`,
        'add "LastName": "{lastName}" to "fields"',
      );
    const create = s.account.create;
    if (create && !('Name' in create) && s.account.field !== 'Name')
      error(
        child(child(at, 'account', null), 'create', create),
        'contacts.required-field',
        `${name} creates Accounts without Name, which Salesforce requires (REQUIRED_FIELD_MISSING)`,
        'add "Name" to "account.create", e.g. "Name": "{emailDomain}"',
      );
    if (!s.externalId.field.endsWith('__c'))
      error(
        child(child(at, 'externalId', null), 'field', s.externalId.field),
        'contacts.external-id',
        `${name} keys Contacts on ${s.externalId.field}, which is not a custom field: only custom fields can be External IDs`,
        'create a custom text field marked External ID and Unique (e.g. Accord_Id__c) and name it here',
      );
    for (const [part, field] of [
      ['externalId', s.externalId.field],
      ['source', s.source.field],
      ['inactive', s.inactive.field],
    ] as const)
      if (field in s.fields)
        error(
          child(child(at, 'fields', null), field, s.fields[field]),
          'contacts.owned-twice',
          `${name} writes ${field} both in "fields" and as its ${part} field`,
          `remove "${field}" from "fields": the ${part} field is written already`,
        );
    const sourceKey = `${s.org}\n${s.source.field}\n${s.source.value}`;
    const sharing = sources.get(sourceKey);
    if (sharing)
      error(
        child(child(at, 'source', null), 'value', s.source.value),
        'contacts.shared-source',
        `${name} tags Contacts like contacts "${sharing.value.id}" (${s.source.field} = ${s.source.value}): neither could tell its leavers apart`,
        'give each declaration of an org its own source value',
      );
    else sources.set(sourceKey, at);

    const templates: [Located<string>, string][] = [
      ...Object.entries(s.fields).map(([f, t]): [Located<string>, string] => [
        child(child(at, 'fields', null), f, t),
        t,
      ]),
      [child(child(at, 'account', null), 'value', s.account.value), s.account.value],
      ...Object.entries(create ?? {}).map(([f, t]): [Located<string>, string] => [
        child(child(child(at, 'account', null), 'create', null), f, t),
        t,
      ]),
      ...(s.externalId.value !== undefined
        ? [
            [child(child(at, 'externalId', null), 'value', s.externalId.value), s.externalId.value] as [
              Located<string>,
              string,
            ],
          ]
        : []),
    ];
    for (const [where, template] of templates) {
      const problem = templateProblems(template).find((p) => p.kind !== 'unknown-variable');
      if (problem)
        error(
          where,
          'contacts.template',
          `template ${JSON.stringify(template)} is malformed (${problem.kind} at character ${problem.index + 1})`,
          'write {name} or {name:N}; braces must pair',
        );
    }
    if (s.account.value.trim() === '')
      error(
        child(child(at, 'account', null), 'value', s.account.value),
        'contacts.account-lookup',
        `${name} looks its Account up by an empty value: no Account can match`,
        'name the Account (e.g. "Acme Corp") or a person attribute (e.g. "{emailDomain}")',
      );
  }
  return out;
}
