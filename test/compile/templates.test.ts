/** Attribute templates: single placeholders (returned as they are), cuts, literals, missing values. */
import { describe, expect, it } from '@jest/globals';
import { compile } from '../../src/compile/compile.js';
import {
  contactAttributes,
  DEFAULT_EXTERNAL_ID,
  defaultExternalId,
} from '../../src/compile/desired-contacts.js';
import { renderTemplate } from '../../src/compile/templates.js';
import { emptyState } from '../../src/model/state.js';
import { makePolicy, okta, onelogin, salesforce, snapshots } from '../support/builders.js';

const ana = {
  firstName: 'Ana',
  lastName: 'Lopez-Garcia',
  email: 'ana.lopez@acme.test',
  title: '',
  city: null,
};

describe('renderTemplate', () => {
  it.each<[string, string | null]>([
    ['{firstName}', 'Ana'],
    ['{lastName:5}', 'Lopez'],
    ['{firstName:0}', null],
    ['{title}', null],
    ['{city}', null],
    ['{nope}', null],
    ['{emailLocal}', 'ana.lopez'],
    ['{firstName:1}{lastName:7}', 'ALopez-G'],
    ['{email}.emea', 'ana.lopez@acme.test.emea'],
    ['{title} {city}', null],
    ['{title}-x', '-x'],
    ['fixed', 'fixed'],
  ])('%s → %s', (template, expected) => {
    expect(renderTemplate(template, ana)).toBe(expected);
  });
});

describe('the default contact external id (UC-14, UC-15)', () => {
  it('spelled directly, it is what rendering DEFAULT_EXTERNAL_ID gives, for people of both directories', () => {
    const snaps = snapshots({
      okta: okta([{ login: 'Ana.Lopez@acme.test' }, { login: 'bo@acme.test' }]),
      onelogin: onelogin([{ login: 'cy@globex.test' }]),
      salesforce: [salesforce('prod', [])],
    });
    const people = [
      ...compile(makePolicy(), snaps, emptyState(), { today: '2026-12-06' }).people,
      ...compile(makePolicy({ identity: { source: 'onelogin' } }), snaps, emptyState(), {
        today: '2026-12-06',
      }).people,
    ];
    expect(new Set(people.map((p) => p.home))).toEqual(new Set(['okta', 'onelogin']));
    for (const p of people) {
      expect(defaultExternalId(p)).toBe(renderTemplate(DEFAULT_EXTERNAL_ID, contactAttributes(p)));
      const withoutId = { ...p, homeAccount: { ...p.homeAccount, id: '' } };
      expect(defaultExternalId(withoutId)).toBe(
        renderTemplate(DEFAULT_EXTERNAL_ID, contactAttributes(withoutId)),
      );
    }
  });
});
