import { patchFor } from '../../src/model/patch.js';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  checkPlanFor,
  parsePlan,
  PlanFileError,
  readPlanFile,
  serializePlan,
  signPlan,
  verifyPlanIntegrity,
  verifyPlanSignature,
  writePlanFile,
  type PlanFileProblem,
} from '../../src/plan/plan-file.js';
import { changesDigest } from '../../src/model/change-id.js';
import { contentAddress, makeChange } from '../../src/plan/make-change.js';
import type { Plan } from '../../src/plan/types.js';
import { demoPlan } from '../render/plan-fixture.js';

const refusal = (run: () => unknown): PlanFileError => {
  try {
    run();
  } catch (error) {
    if (error instanceof PlanFileError) return error;
    throw error;
  }
  throw new Error('expected a PlanFileError');
};

/** A demo plan's JSON with one edit applied to the parsed value. */
const edited = (edit: (plan: Record<string, unknown>) => void): string => {
  const value = JSON.parse(serializePlan(demoPlan())) as Record<string, unknown>;
  edit(value);
  return JSON.stringify(value);
};
/** The same, from a version 1 file (pretty-printed, patches stored). */
const editedV1 = (edit: (plan: Record<string, unknown>) => void): string => {
  const value = JSON.parse(serializePlan({ ...demoPlan(), formatVersion: 1 })) as Record<string, unknown>;
  edit(value);
  return JSON.stringify(value);
};
const firstChange = (plan: Record<string, unknown>) => (plan.changes as Record<string, unknown>[])[0]!;

describe('the saved plan file', () => {
  it('reads back exactly the plan that was written, owner-only', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'accord-planfile-')), 'plan.json');
    const plan = demoPlan();
    await writePlanFile(path, plan);
    expect(readFileSync(path, 'utf8')).toBe(serializePlan(plan));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readPlanFile(path)).toEqual(parsePlan(serializePlan(plan), path));
  });

  it('writes the same text gzip-compressed to a path ending in .gz, and reads either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-planfile-'));
    const plan = demoPlan();
    await writePlanFile(join(dir, 'plan.json'), plan);
    await writePlanFile(join(dir, 'plan.json.gz'), plan);
    const gz = readFileSync(join(dir, 'plan.json.gz'));
    expect([...gz.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(gz).toString('utf8')).toBe(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(statSync(join(dir, 'plan.json.gz')).mode & 0o777).toBe(0o600);
    expect(await readPlanFile(join(dir, 'plan.json.gz'))).toEqual(await readPlanFile(join(dir, 'plan.json')));
  });

  it('refuses a truncated gzip file as a file it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-planfile-'));
    const path = join(dir, 'plan.json.gz');
    writeFileSync(path, gzipSync(serializePlan(demoPlan())).subarray(0, 40));
    const error = await readPlanFile(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ problem: 'plan-file' });
    expect((error as Error).message).toContain(`cannot read plan file ${path}`);
  });

  it('refuses a file it cannot read', async () => {
    const error = await readPlanFile('/nonexistent/plan.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanFileError);
    expect(error).toMatchObject({ problem: 'plan-file', code: 'apply.plan-file' });
    expect((error as Error).message).toContain('cannot read plan file /nonexistent/plan.json');
  });

  const cases: [string, string, PlanFileProblem, string][] = [
    ['not JSON', '{"formatVersion": 1,', 'plan-file', 'cannot read plan file p.json'],
    ['not an object', '[1, 2]', 'plan-file', 'p.json is not an accord plan'],
    [
      'another format version',
      edited((p) => (p.formatVersion = 3)),
      'format-version',
      'is not an accord plan',
    ],
    [
      'a change that is not an object',
      edited((p) => ((p.changes as unknown[])[1] = 7)),
      'plan-file',
      '/changes/1 is not an object',
    ],
    [
      'an unknown action',
      edited((p) => (firstChange(p).action = 'delete')),
      'plan-file',
      '/changes/0/action "delete" is not an action',
    ],
    [
      'a change without an id',
      edited((p) => delete firstChange(p).id),
      'plan-file',
      '/changes/0/id is not a string',
    ],
    [
      'a stored patch (formatVersion 2 derives it)',
      edited((p) => (firstChange(p).patch = [{ op: 'add', path: '/x', value: 1 }])),
      'plan-file',
      '/changes/0/patch is derived from before and after in formatVersion 2, never stored',
    ],
    [
      'a version 1 patch that is not a list',
      editedV1((p) => (firstChange(p).patch = {})),
      'plan-file',
      '/changes/0/patch is not a list',
    ],
    [
      'neither impact nor the sensitive entitlements to derive it from',
      edited((p) => delete p.impact),
      'plan-file',
      '/impact is not a list (nor /sensitiveEntitlements, to derive it from)',
    ],
    [
      'a sensitive entitlement that is not a pair',
      edited((p) => {
        delete p.impact;
        p.sensitiveEntitlements = [['okta', 'group:Admins'], ['okta']];
      }),
      'plan-file',
      '/sensitiveEntitlements/1 is not a [platform, entitlement] pair',
    ],
    [
      'a grant without its target',
      edited(
        (p) => delete (p.changes as Record<string, unknown>[]).find((c) => c.kind === 'membership')!.target,
      ),
      'plan-file',
      '/changes/1/target is missing (a membership change names its target)',
    ],
    [
      'a person that is not a string',
      edited((p) => (firstChange(p).person = 7)),
      'plan-file',
      '/changes/0/person is not a string',
    ],
    [
      'an account without a key',
      edited((p) => (firstChange(p).account = {})),
      'plan-file',
      '/changes/0/account/key is not a string',
    ],
    ['no policy digest', edited((p) => delete p.policyDigest), 'plan-file', '/policyDigest is not a string'],
  ];
  it.each(cases)('refuses %s, saying where', (_, text, problem, message) => {
    const error = refusal(() => parsePlan(text, 'p.json'));
    expect(error.problem).toBe(problem);
    expect(error.code).toBe(`apply.${problem}`);
    expect(error.message).toContain(message);
  });

  describe('is applied only where it was planned', () => {
    const plan = demoPlan({ environment: 'prod', policyDigest: 'a'.repeat(64) });
    const policy = { environment: 'prod', digest: 'a'.repeat(64), folder: 'policies' };

    it('accepts its own environment and policy', () => {
      expect(() => checkPlanFor(plan, policy, 'p.json')).not.toThrow();
    });

    it('refuses another environment, naming both', () => {
      const error = refusal(() => checkPlanFor(plan, { ...policy, environment: 'staging' }, 'p.json'));
      expect(error.problem).toBe('other-environment');
      expect(error.message).toBe('p.json was planned for environment "prod", not "staging"');
    });

    it('refuses another policy', () => {
      const error = refusal(() => checkPlanFor(plan, { ...policy, digest: 'b'.repeat(64) }, 'p.json'));
      expect(error.problem).toBe('policy-changed');
      expect(error.message).toBe('p.json was planned from a different policy than the one in policies');
      expect(error.hint).toContain('accord plan --out');
    });
  });
});

describe('verifyPlanIntegrity', () => {
  /** A plan as the planner seals it: content ids, then the digest of them. */
  function sealed(): Plan {
    const user = makeChange({
      address: 'salesforce.prod.user["ana@acme.test"]',
      platform: 'salesforce:prod',
      kind: 'account',
      action: 'update',
      account: { key: 'ana@acme.test', id: '005A' },
      before: { Title: 'AE' },
      after: { Title: 'Senior AE' },
      reason: { source: 'title changed' },
    });
    const grant = makeChange({
      address: 'salesforce.prod.user["ana@acme.test"].permissionSet["Sales_Ops"]',
      platform: 'salesforce:prod',
      kind: 'permissionSet',
      action: 'grant',
      account: { key: 'ana@acme.test', id: '005A' },
      target: { name: 'Sales_Ops' },
      before: null,
      after: { assigned: true },
      reason: { rule: 'sales', source: 'department = Sales' },
      dependsOn: [user.id],
    });
    const changes = [user, grant];
    contentAddress(changes);
    return demoPlan({ changes, changesDigest: changesDigest(changes) });
  }
  const edits: [string, (plan: Plan) => void, string][] = [
    ['a target', (p) => (p.changes[1]!.target = { name: 'Modify_All_Data' }), '/changes/1'],
    ['a value', (p) => (p.changes[0]!.after = { Title: 'CEO' }), '/changes/0'],
    [
      // The preconditions are the patch's test ops, derived from `before`.
      'a precondition',
      (p) => (p.changes[0]!.before = { Title: 'CEO' }),
      '/changes/0',
    ],
    ['an edge', (p) => (p.changes[1]!.dependsOn = []), '/changes/1'],
    ['the order', (p) => p.changes.reverse(), 'changesDigest'],
    ['a dropped change', (p) => p.changes.pop(), 'changesDigest'],
  ];

  it('accepts a plan as sealed, after a round trip through its file', () => {
    expect(() => verifyPlanIntegrity(parsePlan(serializePlan(sealed()), 'p.json'), 'p.json')).not.toThrow();
  });

  it('accepts a version 1 file as sealed, and refuses its stored patch once edited', () => {
    const plan = sealed();
    const changes = plan.changes.map((c) => ({ ...c, patch: patchFor(c.before, c.after) }));
    const v1 = serializePlan({ ...plan, formatVersion: 1, changes });
    expect(() => verifyPlanIntegrity(parsePlan(v1, 'p.json'), 'p.json')).not.toThrow();
    const edited = v1.replace('"value": "Senior AE"', '"value": "CEO"');
    expect(edited).not.toBe(v1);
    expect(refusal(() => verifyPlanIntegrity(parsePlan(edited, 'p.json'), 'p.json')).problem).toBe(
      'tampered',
    );
  });

  it('refuses a compact file whose values were edited: they are in the id', () => {
    const text = serializePlan(sealed()).replace('"after":{"Title":"Senior AE"}', '"after":{"Title":"CEO"}');
    const error = refusal(() => verifyPlanIntegrity(parsePlan(text, 'p.json'), 'p.json'));
    expect(error.message).toContain(
      '/changes/0 (update salesforce.prod.user["ana@acme.test"]) does not match its id',
    );
  });

  it.each(edits)('refuses %s edited after planning', (_, edit, where) => {
    const plan = parsePlan(serializePlan(sealed()), 'p.json');
    edit(plan);
    const error = refusal(() => verifyPlanIntegrity(plan, 'p.json'));
    expect(error.problem).toBe('tampered');
    expect(error.message).toContain('p.json was edited after it was planned');
    expect(error.message).toContain(where);
  });
});

describe('plan signatures (ACCORD_PLAN_KEY)', () => {
  const signed = () => parsePlan(serializePlan(signPlan(demoPlan(), 'k1')), 'p.json');

  it('signs over the whole plan, and the signature survives the round trip through its file', () => {
    const plan = signed();
    expect(plan.signature).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(() => verifyPlanSignature(plan, 'k1', 'p.json')).not.toThrow();
  });

  it('leaves a plan unsigned without a key, and checks nothing without one', () => {
    expect(signPlan(demoPlan(), undefined).signature).toBeUndefined();
    expect(() => verifyPlanSignature(demoPlan(), undefined, 'p.json')).not.toThrow();
  });

  it.each<[string, (p: Plan) => void]>([
    ['the blocked flag', (p) => (p.blocked = !p.blocked)],
    ['a finding', (p) => p.findings.pop()],
    ['the environment', (p) => (p.environment = 'staging')],
    ['a change', (p) => (p.changes[0]!.address = 'okta.user["mallory@acme.test"]')],
  ])('refuses a signed plan with %s edited', (_, edit) => {
    const plan = signed();
    edit(plan);
    expect(refusal(() => verifyPlanSignature(plan, 'k1', 'p.json')).problem).toBe('bad-signature');
  });

  it('refuses an unsigned plan, and one signed with another key, when the key is set', () => {
    const unsigned = refusal(() => verifyPlanSignature(demoPlan(), 'k1', 'p.json'));
    expect(unsigned.problem).toBe('unsigned');
    expect(unsigned.message).toBe(
      'p.json is not signed, and ACCORD_PLAN_KEY is set: only plans made with the key are applied',
    );
    expect(refusal(() => verifyPlanSignature(signed(), 'k2', 'p.json')).code).toBe('apply.bad-signature');
  });
});
