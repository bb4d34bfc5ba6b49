/** The demo policy and random demo companies with drift, for property tests. */
import { fileURLToPath } from 'node:url';
import type { Snapshots } from '../../src/model/snapshot.js';
import type { Policy } from '../../src/policy/policy.js';
import { loadPolicy } from '../../src/policy/validate.js';
import { snapshotScope } from '../../src/providers/scope.js';
import { generateCompany } from '@accord/sandbox';
import { syntheticSnapshots } from './synthetic-snapshots.js';

const policiesDir = fileURLToPath(new URL('../../policies', import.meta.url));

export async function loadDemoPolicy(): Promise<Policy> {
  const result = await loadPolicy(policiesDir, { today: '2026-11-23' });
  if (!result.policy) throw new Error(`demo policy invalid: ${JSON.stringify(result.diagnostics)}`);
  return result.policy;
}

export function demoSnapshots(policy: Policy, people: number, seed: number): Snapshots {
  const scope = snapshotScope(policy);
  return syntheticSnapshots(generateCompany({ people, seed }), scope);
}

export const DRIFT_KINDS = [
  'drop-assignment',
  'add-assignment',
  'flip-active',
  'change-department',
  'remove-member',
  'deprovision',
  'freeze',
  'add-member',
  'change-profile',
  'change-role',
  'deprovision-onelogin',
  'change-manager',
  'clear-field',
  'remove-role-member',
  'delete-account',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];
export type Drift = [DriftKind, number, number];

/**
 * Mutates a copy of the snapshots by a list of drift steps; `a` and `b` pick the victim and the
 * value (modulo the candidates), so fast-check can shrink them.
 */
export function drift(input: Snapshots, steps: readonly Drift[]): Snapshots {
  const s = structuredClone(input);
  const orgs = Object.keys(s.salesforce).sort();
  for (const [kind, a, b] of steps) {
    const org = s.salesforce[orgs[b % orgs.length]!]!;
    switch (kind) {
      case 'drop-assignment':
        if (org.assignments.length > 0) org.assignments.splice(a % org.assignments.length, 1);
        break;
      case 'add-assignment': {
        if (org.users.length === 0) break;
        const user = org.users[a % org.users.length]!;
        const ps = org.permissionSets[b % org.permissionSets.length]!;
        if (!org.assignments.some((x) => x.userId === user.id && x.permissionSet === ps.name))
          org.assignments.push({ id: `0Pa-drift-${a}-${b}`, userId: user.id, permissionSet: ps.name });
        break;
      }
      case 'flip-active':
        if (org.users.length > 0) {
          const u = org.users[a % org.users.length]!;
          u.isActive = !u.isActive;
        }
        break;
      case 'freeze':
        if (org.users.length > 0) org.users[a % org.users.length]!.frozen = true;
        break;
      case 'change-department': {
        const accounts = s.okta!.accounts;
        const acct = accounts[a % accounts.length]!;
        acct.attributes = {
          ...acct.attributes,
          department: ['Sales', 'Support', 'Finance', 'Legal'][b % 4]!,
        };
        break;
      }
      case 'remove-member': {
        const groups = s.okta!.groups.filter((g) => g.memberIds.length > 0);
        if (groups.length === 0) break;
        const g = groups[b % groups.length]!;
        g.memberIds.splice(a % g.memberIds.length, 1);
        break;
      }
      case 'add-member': {
        const accounts = s.okta!.accounts;
        const groups = s.okta!.groups;
        if (groups.length === 0) break;
        const g = groups[b % groups.length]!;
        const id = accounts[a % accounts.length]!.id;
        if (!g.memberIds.includes(id)) g.memberIds.push(id);
        break;
      }
      case 'change-profile':
        if (org.users.length > 0) {
          const u = org.users[a % org.users.length]!;
          const p = org.profiles[Math.floor(b / 7) % org.profiles.length]!;
          Object.assign(u, { profile: p.name, profileId: p.id, license: p.license });
        }
        break;
      case 'change-role':
        if (org.users.length > 0) {
          const u = org.users[a % org.users.length]!;
          const r = org.roles[Math.floor(b / 7) % (org.roles.length + 1)];
          Object.assign(u, { role: r?.name ?? null, roleId: r?.id ?? null });
        }
        break;
      case 'deprovision-onelogin': {
        const accounts = s.onelogin?.accounts ?? [];
        if (accounts.length === 0) break;
        const acct = accounts[a % accounts.length]!;
        acct.status = 'deprovisioned';
        acct.rawStatus = '3';
        break;
      }
      case 'change-manager': {
        const accounts = s.okta!.accounts;
        const acct = accounts[a % accounts.length]!;
        const manager = accounts[b % accounts.length]!;
        acct.attributes = { ...acct.attributes, manager: manager === acct ? null : manager.login };
        break;
      }
      case 'clear-field':
        if (org.users.length > 0) {
          const u = org.users[a % org.users.length]!;
          u.fields = { ...u.fields, [['Department', 'Title', 'Phone', 'City'][b % 4]!]: 'drifted' };
          if (b % 3 === 0) u.managerId = null;
        }
        break;
      case 'remove-role-member': {
        const groups = (s.onelogin?.groups ?? []).filter((g) => g.memberIds.length > 0);
        if (groups.length === 0) break;
        const g = groups[b % groups.length]!;
        g.memberIds.splice(a % g.memberIds.length, 1);
        break;
      }
      case 'delete-account': {
        const idp = b % 2 === 0 ? s.okta! : (s.onelogin ?? s.okta!);
        if (idp.accounts.length <= 1) break;
        const [gone] = idp.accounts.splice(a % idp.accounts.length, 1);
        for (const g of idp.groups) g.memberIds = g.memberIds.filter((m) => m !== gone!.id);
        break;
      }
      case 'deprovision': {
        const accounts = s.okta!.accounts;
        const acct = accounts[a % accounts.length]!;
        const status = (['deprovisioned', 'suspended', 'staged'] as const)[b % 3]!;
        acct.status = status;
        acct.rawStatus = status.toUpperCase();
        break;
      }
    }
  }
  return s;
}
