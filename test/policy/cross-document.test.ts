import { describe, expect, it } from '@jest/globals';
import { collect } from '../../src/policy/collect.js';
import { jsonLocator } from '../../src/policy/locate.js';
import type { LoadedDocument } from '../../src/policy/load.js';
import { mergePolicy } from '../../src/policy/policy.js';
import { salvage } from '../../src/policy/salvage.js';
import { templateProblems } from '../../src/policy/template-syntax.js';
import { validateDocuments } from '../../src/policy/validate.js';

/** Documents from JSON text, located as the loader would. */
const doc = (file: string, text: string): LoadedDocument => ({
  file,
  format: 'json',
  value: JSON.parse(text) as unknown,
  base: '',
  locate: jsonLocator(text, undefined),
});

const base = [
  doc('00-identity.json', '{ "identity": { "source": "okta" } }'),
  doc(
    '00-platforms.json',
    '{ "platforms": { "okta": {}, "onelogin": {}, "salesforce": { "prod": {}, "emea": {} } } }',
  ),
];

const codes = (docs: LoadedDocument[]) =>
  validateDocuments(docs, { today: '2026-11-23' }).diagnostics.map((d) => `${d.code} ${d.pointer}`);

describe('a schema error does not hide cross-document errors (issue 18)', () => {
  it('reports a duplicate id in another rule of the document with the schema error', () => {
    const bad = doc(
      'b.json',
      '{ "access": [ { "id": "x", "when": { "oktaGroup": "A" }, "grant": {} }, { "id": "sales", "when": { "oktaGroup": "A" }, "grants": {} } ] }',
    );
    const good = doc(
      'a.json',
      '{ "access": [ { "id": "sales", "when": { "oktaGroup": "A" }, "grants": {} } ] }',
    );
    expect(codes([...base, good, bad])).toEqual(
      expect.arrayContaining(['schema.unknown-key /access/0/grant', 'id.duplicate /access/1/id']),
    );
  });

  it('says nothing about undeclared orgs when the platforms document lost an org to a schema error', () => {
    const platforms = doc(
      '00-platforms.json',
      '{ "platforms": { "okta": {}, "salesforce": { "prod": { "apiVersion": 62 } } } }',
    );
    const rules = doc(
      'a.json',
      '{ "access": [ { "id": "r", "when": { "oktaGroup": "A" }, "grants": { "prod": {} } } ] }',
    );
    const found = codes([base[0]!, platforms, rules]);
    expect(found).toContain('schema.type /platforms/salesforce/prod/apiVersion');
    expect(found.filter((c) => c.startsWith('ref.'))).toEqual([]);
  });

  it('never merges a policy while any document is invalid', () => {
    const bad = doc('a.json', '{ "guardrails": { "maxDeprovision": { "percent": 120 } } }');
    expect(validateDocuments([...base, bad]).policy).toBeUndefined();
  });
});

describe('salvage', () => {
  it('cuts the rule around a bad value and keeps the index of the rules after it', () => {
    const d = doc(
      'a.json',
      '{ "access": [ { "id": "a", "when": { "oktaGroup": "A" }, "priority": "high", "grants": {} }, { "id": "b", "when": { "oktaGroup": "B" }, "grants": {} } ] }',
    );
    const s = salvage(d);
    expect(s.removed).toEqual(['/access/0']);
    const c = collect([s.doc!]);
    expect(c.access.map((a) => [a.pointer, a.value.id])).toEqual([['/access/1', 'b']]);
  });

  it('gives a document up when nothing valid is left', () => {
    expect(salvage(doc('a.json', '[1, 2]')).removed).toEqual(['']);
  });
});

describe('__proto__ cannot pollute merged objects', () => {
  it('refuses __proto__ as a map key', () => {
    const d = doc('a.json', '{ "lifecycle": { "successors": { "__proto__": "dana@acme.test" } } }');
    expect(codes([...base, d])).toContain('schema.reserved-key /lifecycle/successors/__proto__');
  });

  it('merges own __proto__ keys as keys, never as prototypes', () => {
    // mergePolicy only ever sees valid documents; this checks its merging alone.
    const settings = doc(
      's.json',
      '{ "settings": { "__proto__": { "polluted": true }, "environment": "x" } }',
    );
    const policy = mergePolicy(collect([...base, settings]));
    expect(Object.getPrototypeOf(policy.settings)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(policy.settings.environment).toBe('x');
  });
});

describe('template syntax', () => {
  it.each([
    ['{email}', []],
    ['{firstName:1}{lastName:7}', []],
    ['{costCenter}', []],
    ['{email', ['unclosed']],
    ['{}', ['empty']],
    ['x}', ['stray-brace']],
    ['{a b}', ['bad-placeholder']],
    ['{email:0}', ['bad-placeholder']],
    ['{Email}', ['unknown-variable']],
    ['{lastNmae}', ['unknown-variable']],
  ])('%s', (template, kinds) => {
    expect(templateProblems(template).map((p) => p.kind)).toEqual(kinds);
  });
});
