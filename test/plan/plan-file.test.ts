import { describe, expect, it } from '@jest/globals';
import type { Change } from '../../src/model/change.js';
import type { Plan } from '../../src/plan/types.js';
import { serializePlan } from '../../src/plan/plan-file.js';
import { change, demoPlan } from '../render/plan-fixture.js';

/** The same values with every object's keys inserted in reverse: what a different planner path might build. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reversedKeys(v)])) as T;
}

const withPatch = (): Plan => {
  const p = demoPlan();
  const update = p.changes.find((c) => c.action === 'update') as Change;
  update.patch = [
    { op: 'test', path: '/Title', value: 'AE' },
    { op: 'replace', path: '/Title', value: 'Senior AE' },
  ];
  return p;
};

describe('serializePlan', () => {
  it('round-trips: parsing the output gives the plan back', () => {
    const p = withPatch();
    expect(JSON.parse(serializePlan(p))).toEqual(p);
  });

  it('is byte-identical for the same plan, whatever order its objects were built in', () => {
    const p = withPatch();
    const text = serializePlan(p);
    expect(serializePlan(structuredClone(p))).toBe(text);
    expect(serializePlan(reversedKeys(p))).toBe(text);
  });

  it('is pretty-printed with two spaces, a trailing newline, and keys in the Plan type order', () => {
    const text = serializePlan(reversedKeys(demoPlan()));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{\n  "formatVersion": 1,\n  "createdAt": ')).toBe(true);
    const parsed = JSON.parse(text) as Plan;
    expect(Object.keys(parsed)).toEqual([
      'formatVersion',
      'createdAt',
      'environment',
      'policyDigest',
      'snapshotFingerprints',
      'changesDigest',
      'changes',
      'conflicts',
      'findings',
      'impact',
      'summary',
      'blocked',
      'blockedReasons',
    ]);
    expect(Object.keys(parsed.changes[1] as Change)).toEqual([
      'id',
      'address',
      'platform',
      'kind',
      'action',
      'account',
      'target',
      'before',
      'after',
      'patch',
      'dependsOn',
      'reason',
    ]);
    expect(Object.keys(parsed.summary.byAction)).toEqual([
      'create',
      'update',
      'grant',
      'revoke',
      'freeze',
      'transfer',
      'deactivate',
    ]);
    expect(Object.keys(parsed.conflicts[0]?.resolution ?? {})).toEqual(['person', 'salesforce']);
  });

  it('orders free-form before/after values and keeps fields it does not know', () => {
    const c = change('okta.user["ana@acme.test"]', 'update', 'hr', {
      before: { title: 'AE', city: 'Lyon' },
      after: { title: 'Lead', city: 'Paris' },
    });
    const p = demoPlan({ changes: [{ ...c, note: 'from a newer planner' } as Change] });
    const text = serializePlan(p);
    expect(text).toContain('"before": {\n        "city": "Lyon",\n        "title": "AE"\n      },');
    expect(text).toContain(
      '"reason": {\n        "source": "hr"\n      },\n      "note": "from a newer planner"\n',
    );
    expect(JSON.parse(text)).toEqual(p);
  });
});
