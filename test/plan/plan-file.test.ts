import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Change } from '../../src/model/change.js';
import { canonicalJson } from '../../src/model/canonical-json.js';
import type { Plan } from '../../src/plan/types.js';
import { impactOf } from '../../src/plan/impact.js';
import { patchFor } from '../../src/model/patch.js';
import {
  parsePlan,
  planChunks,
  serializePlan,
  signPlan,
  verifyPlanSignature,
} from '../../src/plan/plan-file.js';
import { change, demoPlan } from '../render/plan-fixture.js';

/** The same values with every object's keys inserted in reverse: what a different planner path might build. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reversedKeys(v)])) as T;
}

/** ...and its impact what its changes make it, with one entitlement sensitive. */
const plannerMade = (): Plan => {
  const p = demoPlan();
  p.impact = impactOf(p.changes, (_, e) => e === 'permissionSetGroup:Sales_Leadership');
  return p;
};

const lines = (text: string) => text.trimEnd().split('\n');

describe('serializePlan (formatVersion 2, compact)', () => {
  it('round-trips: reading the output gives the plan back, patches and impact derived again', () => {
    const p = plannerMade();
    expect(parsePlan(serializePlan(p), 'p.json')).toEqual(p);
  });

  it('keeps an impact it could not derive as it is, and round-trips that too', () => {
    const p = demoPlan(); // the fixture's impact is hand-written
    const text = serializePlan(p);
    expect(text).toContain('\n],"impact":[\n{"person":"ana@acme.test"');
    expect(text).not.toContain('sensitiveEntitlements');
    expect(parsePlan(text, 'p.json')).toEqual(p);
  });

  it('is byte-identical for the same plan, whatever order its objects were built in', () => {
    const p = plannerMade();
    const text = serializePlan(p);
    expect(serializePlan(structuredClone(p))).toBe(text);
    expect(serializePlan(reversedKeys(p))).toBe(text);
  });

  it('writes one change a line, keys in the Plan type order, and stores nothing derivable', () => {
    const p = plannerMade();
    const text = serializePlan(reversedKeys(p));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.startsWith('{"formatVersion":2,"createdAt":')).toBe(true);
    expect(lines(text)[0]).toMatch(/"changesDigest":"\w+","changes":\[$/);
    expect(lines(text)[1]).toMatch(/^\{"id":/);
    const parsed = JSON.parse(text) as Record<string, unknown>;
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
      'sensitiveEntitlements',
      'summary',
      'blocked',
      'blockedReasons',
    ]);
    expect(parsed.sensitiveEntitlements).toEqual([
      ['salesforce:prod', 'permissionSetGroup:Sales_Leadership'],
    ]);
    const stored = parsed.changes as Record<string, unknown>[];
    // No patch (derived), no null before or after.
    expect(Object.keys(stored[1]!)).toEqual([
      'id',
      'address',
      'platform',
      'kind',
      'action',
      'account',
      'target',
      'dependsOn',
      'reason',
    ]);
    const update = stored.find((c) => c.action === 'update')!;
    expect(Object.keys(update)).toEqual([
      'id',
      'address',
      'platform',
      'kind',
      'action',
      'account',
      'before',
      'after',
      'dependsOn',
      'reason',
    ]);
    expect(lines(text)).toHaveLength(
      1 + p.changes.length + 1 + p.findings.length + 1 + p.conflicts.length + 1,
    );
    expect(Object.keys((parsed.summary as Plan['summary']).byAction)).toEqual([
      'create',
      'update',
      'grant',
      'revoke',
      'freeze',
      'transfer',
      'deactivate',
    ]);
    expect(Object.keys((parsed.conflicts as Plan['conflicts'])[0]?.resolution ?? {})).toEqual([
      'person',
      'salesforce',
    ]);
  });

  it('orders free-form before/after values and keeps fields it does not know', () => {
    const c = change('okta.user["ana@acme.test"]', 'update', 'hr', {
      before: { title: 'AE', city: 'Lyon' },
      after: { title: 'Lead', city: 'Paris' },
    });
    const p = demoPlan({ changes: [{ ...c, note: 'from a newer planner' } as Change] });
    const text = serializePlan(p);
    expect(text).toContain(
      '"before":{"city":"Lyon","title":"AE"},"after":{"city":"Paris","title":"Lead"},"dependsOn":[],"reason":{"source":"hr"},"note":"from a newer planner"}',
    );
    // The patch derived from the sorted values read back has the same ops as the planner's.
    const read = parsePlan(text, 'p.json');
    const ops = (x: Change) => new Set(patchFor(x.before, x.after).map((op) => JSON.stringify(op)));
    expect(ops(read.changes[0]!)).toEqual(ops(c));
    expect({ ...read, changes: [] }).toEqual({ ...p, changes: [] });
    expect(read.changes[0]).toEqual(p.changes[0]);
  });

  it('puts the signature last', () => {
    const text = serializePlan(signPlan(plannerMade(), 'k1'));
    expect(text).toMatch(/,"blockedReasons":\[\],"signature":"hmac-sha256:[0-9a-f]{64}"\}\n$/);
  });

  it('comes in chunks of whole lines that make up the same text', () => {
    const base = plannerMade();
    const many: Change[] = [];
    for (let i = 0; i < 400; i++)
      for (const c of base.changes)
        many.push({ ...c, id: `${c.id}-${i}`, reason: { source: 'x'.repeat(100) } });
    const p = { ...base, changes: many };
    const chunks = Array.from(planChunks(p));
    expect(chunks.length).toBeGreaterThan(1);
    // Never inside a string, so each chunk can be redacted on its own.
    const quotes = (chunk: string) => (chunk.match(/(?<!\\)"/g) ?? []).length;
    for (const chunk of chunks) expect(quotes(chunk) % 2).toBe(0);
    for (const chunk of chunks.slice(1)) expect(/^[,\n]/.test(chunk)).toBe(true);
    expect(chunks.join('')).toBe(serializePlan(p));
  });

  it('is much smaller than the version 1 file of the same plan', () => {
    const p = plannerMade();
    const v1 = serializePlan({ ...p, formatVersion: 1 });
    // About half for this small fixture; a real plan, with its values, shrinks more (the demo
    // plan from 1,311 to 547 bytes a change).
    expect(serializePlan(p).length).toBeLessThan(v1.length * 0.55);
  });
});

describe('version 1 plan files (written before the compact format)', () => {
  // A version 1 file stores each change's patch; the planner no longer keeps one on a change.
  const v1 = (): Plan => {
    const p = plannerMade();
    const changes = p.changes.map((c) => ({ ...c, patch: patchFor(c.before, c.after) }));
    return { ...p, formatVersion: 1, changes };
  };

  it('are written back as they were: pretty-printed, with patches and impact', () => {
    const text = serializePlan(v1());
    expect(text.startsWith('{\n  "formatVersion": 1,\n  "createdAt": ')).toBe(true);
    expect(text).toContain('"patch": [');
    expect(text).toContain('"impact": [');
  });

  it('read back with their version, patches as stored', () => {
    const p = v1();
    const read = parsePlan(serializePlan(p), 'p.json');
    expect(read.formatVersion).toBe(1);
    expect(read).toEqual(JSON.parse(serializePlan(p)));
  });

  it('keep the signature they were made with: an HMAC over the canonical JSON of the whole plan', () => {
    const p = v1();
    const made = `hmac-sha256:${createHmac('sha256', 'k1').update(canonicalJson(p)).digest('hex')}`;
    const read = parsePlan(serializePlan({ ...p, signature: made }), 'p.json');
    expect(() => verifyPlanSignature(read, 'k1', 'p.json')).not.toThrow();
    expect(signPlan(p, 'k1').signature).toBe(made);
  });
});
