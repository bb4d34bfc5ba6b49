/**
 * What self-heal may run unattended (engine/run-reconcile.ts), as pure decisions: the plan's
 * basis and guard rails decide, and nothing that depends on a change left out is sent.
 */
import { describe, expect, it } from '@jest/globals';
import type { Change } from '../../src/model/change.js';
import type { DriftReport } from '../../src/plan/drift.js';
import type { Plan } from '../../src/plan/types.js';
import { closedUnderDependencies, whatToHeal } from '../../src/engine/run-reconcile.js';
import type { State } from '../../src/model/state.js';

const change = (id: string, dependsOn: string[] = []) => ({ id, dependsOn }) as unknown as Change;
const plan = (changes: Change[], blockedReasons: string[] = []) =>
  ({ changes, blockedReasons, blocked: blockedReasons.length > 0 }) as unknown as Plan;
const found = (basis: DriftReport['basis'], drift: Change[], lifecycle: Change[], pending: Change[]) =>
  ({
    basis,
    drift: drift.map((c) => ({ change: c })),
    lifecycle: lifecycle.map((c) => ({ change: c })),
    pending,
  }) as unknown as DriftReport;
const state = { lastApply: { policyDigest: 'old', gitCommit: 'abc', at: '2026-12-01T00:00:00Z' } } as State;

describe('closedUnderDependencies', () => {
  it('drops every change that depends, directly or not, on one left out', () => {
    const changes = [change('a'), change('b', ['a']), change('c', ['b']), change('d'), change('e', ['d'])];
    expect([...closedUnderDependencies(changes, new Set(['b', 'c', 'd', 'e']))].sort()).toEqual(['d', 'e']);
  });
  it('keeps a change whose dependency is not in the plan at all (already done)', () => {
    expect([...closedUnderDependencies([change('b', ['gone'])], new Set(['b']))]).toEqual(['b']);
  });
});

describe('whatToHeal', () => {
  const a = change('a');
  const b = change('b', ['p']);
  const p = change('p');
  it('runs the whole plan when the policy is the applied one', () => {
    expect(whatToHeal({ plan: plan([a]), state }, found('policy-unchanged', [a], [], []))).toEqual({
      refused: [],
      deferred: [],
    });
  });
  it('runs drift and lifecycle only, less what depends on pending, and records the applied policy', () => {
    const heal = whatToHeal({ plan: plan([a, b, p]), state }, found('last-applied-policy', [a], [b], [p]));
    expect([...heal.only!]).toEqual(['a']);
    expect(heal.deferred.map((c) => c.id)).toEqual(['b', 'p']);
    expect(heal.recordAs).toEqual({ policyDigest: 'old', gitCommit: 'abc' });
  });
  it.each(['never-applied', 'unknown-last-policy'] as const)('refuses when the basis is %s', (basis) => {
    const heal = whatToHeal({ plan: plan([a]), state }, found(basis, [], [], [a]));
    expect(heal.refused).toHaveLength(1);
    expect(heal.only).toBeUndefined();
  });
  it('refuses a blocked plan with its reasons, whatever the basis', () => {
    const heal = whatToHeal(
      { plan: plan([a], ['cap: 30 people']), state },
      found('policy-unchanged', [a], [], []),
    );
    expect(heal.refused).toEqual(['cap: 30 people']);
  });
  it('has nothing to refuse in an empty plan, even never applied', () => {
    expect(
      whatToHeal({ plan: plan([]), state: {} as State }, found('never-applied', [], [], [])).refused,
    ).toEqual([]);
  });
});
