import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from '../../src/policy/policy.js';
import { loadPolicy } from '../../src/policy/validate.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const demo = join(root, 'policies');

describe('the demo policy', () => {
  it('validates without errors or warnings and uses every section of the language', async () => {
    const result = await loadPolicy(demo, { today: '2026-11-23' });
    expect(result.diagnostics).toEqual([]);
    const policy = result.policy!;
    expect(summarize(policy)).toEqual({
      documents: 9,
      rules: 8,
      orgs: 2,
      mirrors: 1,
      managedGroups: 3,
      exceptions: 1,
    });
    expect(Object.keys(policy.platforms.salesforce ?? {})).toEqual(['prod', 'emea']);
    expect(policy.identity.source).toBe('okta');
    expect(policy.links).toHaveLength(1);
    expect(policy.lifecycle.salesforce?.['*']?.transfer?.objects).toContain('Opportunity');
    // Every lifecycle key a file declares reaches the merged policy (statuses once did not).
    expect(policy.lifecycle.statuses?.suspended).toEqual({ salesforce: 'freeze', idp: 'suspend' });
    expect(policy.guardrails.separationOfDuties?.[0]?.id).toBe('quote-to-cash');
    // UC-14 and UC-15: partner contacts and contact enrichment in prod.
    expect(policy.contacts?.map((c) => `${c.org}:${c.id}`)).toEqual([
      'prod:partners',
      'prod:customer-success',
    ]);
    // UC-16: a Case-driven temporary access.
    expect(policy.groups.find((g) => g.rule?.salesforceCase)?.name).toBe(
      'Production Support Temporary Access',
    );
    // JSON and TypeScript documents both contribute.
    expect(policy.files.some((f) => f.endsWith('.ts'))).toBe(true);
    expect(policy.access.map((r) => r.id)).toEqual(
      expect.arrayContaining(['sales-reps', 'support-agents', 'salesforce-admins']),
    );
  });

  it('merges lifecycle statuses, orphans and inactivity from any document, and refuses them twice', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'accord-demo-'));
    cpSync(demo, copy, { recursive: true });
    const reclaim = { lifecycle: { orphans: 'freeze', inactivity: { afterDays: 90, action: 'freeze' } } };
    writeFileSync(join(copy, 'reclaim.json'), JSON.stringify(reclaim));
    const merged = (await loadPolicy(copy, { today: '2026-11-23' })).policy!;
    expect(merged.lifecycle.orphans).toBe('freeze');
    expect(merged.lifecycle.inactivity).toEqual({ afterDays: 90, action: 'freeze' });
    writeFileSync(join(copy, 'reclaim-again.json'), JSON.stringify(reclaim));
    const twice = await loadPolicy(copy, { today: '2026-11-23' });
    expect(twice.policy).toBeUndefined();
    expect(twice.diagnostics.map((d) => d.code)).toEqual(['lifecycle.duplicate', 'lifecycle.duplicate']);
  });

  it('has a digest that ignores key order and changes with content', async () => {
    const a = (await loadPolicy(demo)).policy!;
    const copy = mkdtempSync(join(tmpdir(), 'accord-demo-'));
    cpSync(demo, copy, { recursive: true });
    writeFileSync(
      join(copy, 'exceptions.json'),
      JSON.stringify({
        exceptions: [
          {
            ticket: 'ACC-311',
            expires: '2027-03-31',
            permissionSets: ['Report_Builder'],
            org: 'prod',
            person: 'ana.lopez@acme.test',
            id: 'ana-report-builder',
            reason: 'Builds the EMEA quarterly pipeline report until the BI migration lands',
          },
        ],
      }),
    );
    const reordered = (await loadPolicy(copy)).policy!;
    expect(reordered.digest).toBe(a.digest);
    writeFileSync(join(copy, 'exceptions.json'), JSON.stringify({ exceptions: [] }));
    expect((await loadPolicy(copy)).policy!.digest).not.toBe(a.digest);
  });
});

describe('TypeScript policies', () => {
  const tsPolicy = `import { definePolicy } from 'accord-access';
const rule = (id: string, group: string) => ({ id, when: { oktaGroup: group }, grants: { prod: { permissionSets: [group] } } });
export default definePolicy([{ access: [rule('a', 'A')] }, { access: [rule('b', 'B'), { id: 'c', when: {}, grants: {} }] }]);
`;
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'accord-ts-'));
    cpSync(join(root, 'test/fixtures/base'), dir, { recursive: true });
    writeFileSync(join(dir, 'rules.ts'), tsPolicy);
    return dir;
  };

  it('loads default-exported arrays of documents, with pointers into the array', async () => {
    const dir = folder();
    const result = await loadPolicy(dir, { cwd: dir });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        file: 'rules.ts',
        pointer: '/1/access/1/when',
        code: 'schema.exactly-one',
        line: 3,
      }),
    ]);
  });

  it('is refused with --no-code, and by settings.allowCode: false in a JSON document', async () => {
    const dir = folder();
    const noCode = await loadPolicy(dir, { cwd: dir, noCode: true });
    expect(noCode.diagnostics).toEqual([expect.objectContaining({ file: 'rules.ts', code: 'load.no-code' })]);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ settings: { allowCode: false } }));
    const bySetting = await loadPolicy(dir, { cwd: dir });
    expect(bySetting.diagnostics).toEqual([
      expect.objectContaining({ file: 'rules.ts', code: 'load.no-code' }),
    ]);
    expect(bySetting.policy).toBeUndefined();
  });

  it('reports a TS file that throws as an error on that file, not a crash', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'rules.ts'), "throw new Error('boom');\nexport default {};\n");
    const result = await loadPolicy(dir, { cwd: dir });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        file: 'rules.ts',
        code: 'load.ts-throw',
        // The throw's own place: `new Error` at line 1, column 7.
        line: 1,
        column: 7,
        message: expect.stringContaining('boom'),
      }),
    ]);
  });
});
