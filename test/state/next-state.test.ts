import { describe, expect, it } from '@jest/globals';
import type { ChangeResult } from '../../src/model/change.js';
import { emptyState, type State } from '../../src/model/state.js';
import { checkState } from '../../src/state/check-state.js';
import { nextState } from '../../src/state/next-state.js';
import { change } from '../render/plan-fixture.js';

const create = { ...change('okta.user["ana@acme.test"]', 'create', 'joiner'), person: 'ana@acme.test' };
const grant = change('okta.group["Sales"].member["ana@acme.test"]', 'grant', 'rule sales');
const update = {
  ...change('salesforce.prod.user["bo@acme.test"]', 'update', 'title'),
  person: 'bo@acme.test',
};
const plan = { policyDigest: 'd'.repeat(64), snapshotFingerprints: { okta: 'f-okta' } };
const AT = new Date('2026-12-01T10:00:00Z');
const results = (statuses: Record<string, ChangeResult['status']>): ChangeResult[] =>
  Object.entries(statuses).map(([changeId, status]) => ({ changeId, status }));

describe('nextState', () => {
  it('links and owns what was applied, and records which policy and snapshots it came from', () => {
    const next = nextState(
      emptyState(),
      [create, grant, update],
      results({ [create.id]: 'applied', [grant.id]: 'applied', [update.id]: 'applied' }),
      plan,
      'abc123',
      AT,
    );
    expect(next.links).toEqual({
      'ana@acme.test': { okta: 'ana@acme.test' },
      'bo@acme.test': { 'salesforce:prod': 'bo@acme.test' },
    });
    expect(next.owned).toEqual([create.address]);
    expect(next.fingerprints).toEqual({ okta: 'f-okta' });
    expect(next.lastApply).toEqual({
      policyDigest: plan.policyDigest,
      gitCommit: 'abc123',
      at: AT.toISOString(),
    });
    expect(next.serial).toBe(1);
    expect(next.lineage).toMatch(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
    expect(next.lineage).not.toBe(emptyState().lineage);
  });

  it('changes nothing of what failed or went stale, and keeps an established lineage', () => {
    const before: State = { ...emptyState(), lineage: 'keep-me', serial: 4, owned: ['x'] };
    const next = nextState(
      before,
      [create, update],
      results({ [create.id]: 'failed', [update.id]: 'stale' }),
      plan,
      null,
      AT,
    );
    expect(next.links).toEqual({});
    expect(next.owned).toEqual(['x']);
    expect(next.lineage).toBe('keep-me');
    expect(next.serial).toBe(5);
    expect(next.lastApply).toEqual({ policyDigest: plan.policyDigest, at: AT.toISOString() });
  });
});

describe('nextState keeps one person per account', () => {
  const grantTo = (person: string) => ({
    ...change('salesforce.prod.user["sam@acme.test"].permissionSet["Sales"]', 'grant', 'rule sales'),
    person,
  });
  const after = (before: State['links'], person: string) => {
    const c = grantTo(person);
    return nextState(
      { ...emptyState(), serial: 1, links: before },
      [c],
      results({ [c.id]: 'applied' }),
      plan,
      null,
      AT,
    ).links;
  };

  it('moves an account whose owner’s login was renamed, dropping a person left with no account', () => {
    expect(after({ 'sam@acme.test': { 'salesforce:prod': 'sam@acme.test' } }, 'sam.new@acme.test')).toEqual({
      'sam.new@acme.test': { 'salesforce:prod': 'sam@acme.test' },
    });
  });

  it('writes what readState accepts: the link the account had is gone, not doubled', () => {
    const links = after(
      { 'sam@acme.test': { okta: 'sam@acme.test', 'salesforce:prod': 'sam@acme.test' } },
      'sam.new@acme.test',
    );
    expect(checkState({ ...emptyState(), links })).toEqual([]);
  });

  it('keeps the former owner’s other accounts, and compares keys without case', () => {
    const links = after(
      { 'sam@acme.test': { okta: 'sam@acme.test', 'salesforce:prod': 'SAM@acme.test' } },
      'sam.new@acme.test',
    );
    expect(links).toEqual({
      'sam@acme.test': { okta: 'sam@acme.test' },
      'sam.new@acme.test': { 'salesforce:prod': 'sam@acme.test' },
    });
  });

  it('leaves the same key in another org alone', () => {
    const links = after({ 'sam@acme.test': { 'salesforce:emea': 'sam@acme.test' } }, 'sam.new@acme.test');
    expect(links['sam@acme.test']).toEqual({ 'salesforce:emea': 'sam@acme.test' });
  });
});
