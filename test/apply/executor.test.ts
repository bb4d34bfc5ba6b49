import { describe, expect, it } from '@jest/globals';
import { execute } from '../../src/apply/executor.js';
import { staleChanges } from '../../src/apply/preconditions.js';
import type { Change, ChangeResult } from '../../src/model/change.js';
import type { PlatformId } from '../../src/model/snapshot.js';
import type { Provider } from '../../src/providers/provider.js';
import { makeChange } from '../../src/plan/make-change.js';

const change = (
  address: string,
  action: Change['action'],
  dependsOn: string[] = [],
  platform: PlatformId = 'salesforce:prod',
  kind: Change['kind'] = 'permissionSet',
) =>
  makeChange({
    address,
    platform,
    kind,
    action,
    account: { key: address },
    before: null,
    after: { x: 1 },
    reason: { source: 'test' },
    dependsOn,
  });

/** A provider that records its calls and fails the changes it is told to. */
function fakeProvider(id: PlatformId, maxBatch: number, failing: Set<string> = new Set()) {
  const calls: string[][] = [];
  const provider: Provider = {
    id,
    snapshot: async () => {
      throw new Error('not used');
    },
    maxBatch: () => maxBatch,
    apply: async (batch) => {
      calls.push(batch.map((c) => c.address));
      return batch.map((c): ChangeResult => ({
        changeId: c.id,
        status: failing.has(c.address) ? 'failed' : 'applied',
        ...(failing.has(c.address) ? { message: 'boom' } : {}),
      }));
    },
  };
  return { provider, calls };
}

describe('executor (UC-24)', () => {
  it('sends changes of one kind and action in the largest batches the provider takes', async () => {
    const changes = Array.from({ length: 450 }, (_, i) => change(`u${i}`, 'grant'));
    const sf = fakeProvider('salesforce:prod', 200);
    const report = await execute(changes, new Map([[sf.provider.id, sf.provider]]));
    expect(sf.calls.map((c) => c.length)).toEqual([200, 200, 50]);
    expect(report.counts).toEqual({ applied: 450, failed: 0, skipped: 0, stale: 0 });
  });

  it('does not attempt dependents of a failed change, and goes on with independent work', async () => {
    const create = change('user["a"]', 'create', [], 'salesforce:prod', 'account');
    const grant = change('user["a"].ps["X"]', 'grant', [create.id]);
    const transitive = change('user["a"].ps["Y"]', 'grant', [grant.id]);
    const other = change('user["b"].ps["X"]', 'grant');
    const sf = fakeProvider('salesforce:prod', 200, new Set(['user["a"]']));
    const report = await execute(
      [create, grant, transitive, other],
      new Map([[sf.provider.id, sf.provider]]),
    );
    const status = Object.fromEntries(report.results.map((r) => [r.changeId, r.status]));
    expect(status).toEqual({
      [create.id]: 'failed',
      [grant.id]: 'skipped',
      [transitive.id]: 'skipped',
      [other.id]: 'applied',
    });
    expect(sf.calls.flat()).not.toContain('user["a"].ps["X"]');
    expect(report.results.find((r) => r.changeId === grant.id)?.message).toContain(create.id);
  });

  it('walks the DAG: a dependent goes out only after its dependency applied', async () => {
    const create = change('okta.user["a"]', 'create', [], 'okta', 'account');
    const member = change('okta.group["G"].member["a"]', 'grant', [create.id], 'okta', 'membership');
    const okta = fakeProvider('okta', 1);
    await execute([member, create], new Map([[okta.provider.id, okta.provider]]));
    expect(okta.calls).toEqual([['okta.user["a"]'], ['okta.group["G"].member["a"]']]);
  });

  it("does not hold a platform's next level for another platform's slow one", async () => {
    // Okta's first write answers only once Salesforce has sent its second level: under global
    // rounds Salesforce would wait for Okta's first round, and this would never finish.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const okta = fakeProvider('okta', 10);
    const slowOkta: Provider = {
      ...okta.provider,
      apply: async (batch) => {
        await released;
        return okta.provider.apply(batch);
      },
    };
    const sf = fakeProvider('salesforce:prod', 10);
    const sfApply = sf.provider.apply;
    sf.provider.apply = async (batch) => {
      const results = await sfApply(batch);
      if (sf.calls.length === 2) release();
      return results;
    };
    const create = change('salesforce.prod.user["a"]', 'create', [], 'salesforce:prod', 'account');
    const grant = change('salesforce.prod.user["a"].permissionSet["X"]', 'grant', [create.id]);
    const oktaUser = change('okta.user["a"]', 'create', [], 'okta', 'account');
    const oktaMember = change('okta.group["G"].member["a"]', 'grant', [oktaUser.id], 'okta', 'membership');
    const report = await execute(
      [oktaUser, create, oktaMember, grant],
      new Map<PlatformId, Provider>([
        ['okta', slowOkta],
        ['salesforce:prod', sf.provider],
      ]),
    );
    expect(report.counts.applied).toBe(4);
    expect(sf.calls).toEqual([[create.address], [grant.address]]);
    expect(okta.calls).toEqual([[oktaUser.address], [oktaMember.address]]);
  });

  it('waits for a dependency on another platform before sending its dependent', async () => {
    const oktaUser = change('okta.user["a"]', 'create', [], 'okta', 'account');
    const sfUser = change('salesforce.prod.user["a"]', 'create', [oktaUser.id], 'salesforce:prod', 'account');
    const order: string[] = [];
    const recording = (id: PlatformId) => {
      const p = fakeProvider(id, 10);
      const apply = p.provider.apply;
      p.provider.apply = async (batch) => {
        await new Promise((r) => setTimeout(r, id === 'okta' ? 20 : 0));
        order.push(...batch.map((c) => c.address));
        return apply(batch);
      };
      return p.provider;
    };
    const failingOkta = fakeProvider('okta', 10, new Set([oktaUser.address]));
    const report = await execute(
      [oktaUser, sfUser],
      new Map<PlatformId, Provider>([
        ['okta', recording('okta')],
        ['salesforce:prod', recording('salesforce:prod')],
      ]),
    );
    expect(order).toEqual([oktaUser.address, sfUser.address]);
    expect(report.counts.applied).toBe(2);
    const skipped = await execute(
      [oktaUser, sfUser],
      new Map<PlatformId, Provider>([
        ['okta', failingOkta.provider],
        ['salesforce:prod', recording('salesforce:prod')],
      ]),
    );
    expect(skipped.results.map((r) => r.status)).toEqual(['failed', 'skipped']);
  });

  it('reports stale and already-applied changes without sending them, and fails changes with no provider', async () => {
    const a = change('a', 'grant');
    const b = change('b', 'grant');
    const c = change('c', 'grant', [], 'onelogin');
    const sf = fakeProvider('salesforce:prod', 200);
    const report = await execute([a, b, c], new Map([[sf.provider.id, sf.provider]]), {
      stale: new Map([[a.id, 'precondition failed']]),
      alreadyApplied: new Set([b.id]),
    });
    expect(report.results.map((r) => r.status)).toEqual(['stale', 'applied', 'failed']);
    expect(sf.calls).toEqual([]);
  });

  it('turns a provider that throws into failed results for its batch only', async () => {
    const broken: Provider = {
      ...fakeProvider('okta', 10).provider,
      apply: async () => Promise.reject(new Error('okta: authentication failed (401)')),
    };
    const sf = fakeProvider('salesforce:prod', 10);
    const report = await execute(
      [change('x', 'grant', [], 'okta'), change('y', 'grant')],
      new Map<PlatformId, Provider>([
        ['okta', broken],
        ['salesforce:prod', sf.provider],
      ]),
    );
    expect(report.results.map((r) => [r.status, r.message])).toEqual([
      ['failed', 'okta: authentication failed (401)'],
      ['applied', undefined],
    ]);
  });
});

describe('saved plan preconditions (UC-23)', () => {
  const update = (before: unknown, after: unknown) =>
    makeChange({
      address: 'salesforce.prod.user["a"]',
      platform: 'salesforce:prod',
      kind: 'account',
      action: 'update',
      account: { key: 'a' },
      before,
      after,
      reason: { source: 't' },
    });

  it('keeps a change whose preconditions hold, marks the others stale with the reason', () => {
    const saved = update({ Title: 'AE' }, { Title: 'Senior AE' });
    expect(staleChanges([saved], [update({ Title: 'AE' }, { Title: 'Senior AE' })])).toEqual(new Map());
    const moved = staleChanges([saved], [update({ Title: 'Manager' }, { Title: 'Senior AE' })]);
    expect(moved.get(saved.id)).toBe('precondition failed: /Title was "AE" when planned, is now "Manager"');
    expect(staleChanges([saved], []).get(saved.id)).toContain('no longer needed');
  });
});
