import { canSignIn, type DesiredGroup, type DesiredIdpAccount } from '../compile/desired-idp.js';
import type { Finding } from '../model/findings.js';
import type { Change } from '../model/change.js';
import type { IdpAccount, IdpId, IdpSnapshot } from '../model/snapshot.js';
import { idpGroup, idpMember, idpUser } from './addresses.js';
import { makeChange } from './make-change.js';

/**
 * Diff of the two IdPs: cross-provisioned accounts (UC-10, UC-11) and members of the groups and
 * roles accord owns (UC-12). Account fields travel under each platform's own names.
 */

/** Neutral attribute name → the platform's field name (where they differ). */
export const FIELD_NAMES: Record<IdpId, Record<string, string>> = {
  okta: { phone: 'mobilePhone', country: 'countryCode' },
  onelogin: { firstName: 'firstname', lastName: 'lastname', login: 'username' },
};
function platformFields(idp: IdpId, fields: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const k in fields) out[FIELD_NAMES[idp][k] ?? k] = fields[k] as string | null;
  return out;
}

/** A snapshot's accounts by id and by lowercased login, built once per platform (not per group). */
function accountIndex(snapshot: IdpSnapshot) {
  const byId = new Map<string, IdpAccount>();
  const byLogin = new Map<string, IdpAccount>();
  for (const x of snapshot.accounts) {
    byId.set(x.id, x);
    byLogin.set(x.login.toLowerCase(), x);
  }
  return { byId, byLogin };
}

export function diffIdp(
  snapshots: { okta?: IdpSnapshot; onelogin?: IdpSnapshot },
  accounts: readonly DesiredIdpAccount[],
  groups: readonly DesiredGroup[],
): { changes: Change[]; findings: Finding[] } {
  const changes: Change[] = [];
  const findings: Finding[] = [];
  const created = new Map<string, Change>();
  const add = (change: Change, person?: string) => {
    if (person) change.person = person;
    changes.push(change);
    return change;
  };

  for (const a of accounts) {
    const address = idpUser(a.platform, a.key);
    const account = { key: a.key, ...(a.live ? { id: a.live.id } : {}) };
    const reason = { rule: a.population ? `population:${a.population}` : 'identity', source: a.fact };
    if (a.present && !a.live) {
      const person = { ...a.createFields, ...a.fields };
      const after =
        a.platform === 'okta'
          ? { profile: platformFields('okta', person), activate: true }
          : { ...platformFields('onelogin', { ...person, login: a.key }) };
      created.set(
        `${a.platform}:${a.key.toLowerCase()}`,
        add(
          makeChange({
            address,
            platform: a.platform,
            kind: 'account',
            action: 'create',
            account,
            before: null,
            after,
            reason,
          }),
          a.person,
        ),
      );
      continue;
    }
    if (!a.live) continue;
    if (a.present) {
      let last: Change | undefined;
      // A provisioned account waits for its person to set a password: there is nothing to activate.
      if (!canSignIn(a.live)) {
        last = add(
          makeChange({
            address,
            platform: a.platform,
            kind: 'account',
            action: 'activate',
            account,
            before: { status: a.live.status },
            after: { status: 'active' },
            reason,
          }),
          a.person,
        );
      }
      const before: Record<string, string | null> = {};
      const after: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(a.fields)) {
        const current = a.live.attributes[k] ?? null;
        if (current !== (v ?? null)) {
          before[k] = current;
          after[k] = v ?? null;
        }
      }
      if (Object.keys(after).length > 0) {
        const shape = (f: Record<string, string | null>) =>
          a.platform === 'okta' ? { profile: platformFields('okta', f) } : platformFields('onelogin', f);
        add(
          makeChange({
            address,
            platform: a.platform,
            kind: 'account',
            action: 'update',
            account,
            before: shape(before),
            after: shape(after),
            reason,
            dependsOn: last ? [last.id] : [],
          }),
          a.person,
        );
      }
    } else if (a.offboard && canSignIn(a.live)) {
      add(
        makeChange({
          address,
          platform: a.platform,
          kind: 'account',
          action: a.offboard,
          account,
          before: { status: a.live.status },
          after: { status: a.offboard === 'suspend' ? 'suspended' : 'deprovisioned' },
          reason: { rule: 'lifecycle', source: a.fact },
        }),
        a.person,
      );
    }
  }

  const indexes = new Map<IdpId, ReturnType<typeof accountIndex>>();
  for (const g of groups) {
    const snapshot = g.platform === 'okta' ? snapshots.okta : snapshots.onelogin;
    if (!snapshot) continue;
    if (g.live && g.live.kind !== 'managed') {
      findings.push({
        code: 'missing-group',
        severity: 'warn',
        platform: g.platform,
        message: `${g.platform} group "${g.name}" is a ${g.live.kind} group; its members are managed elsewhere and accord leaves it alone`,
      });
      continue;
    }
    let groupCreate: Change | undefined;
    if (!g.live) {
      groupCreate = add(
        makeChange({
          address: idpGroup(g.platform, g.name),
          platform: g.platform,
          kind: 'group',
          action: 'create',
          account: { key: g.name },
          target: { name: g.name },
          before: null,
          after: { name: g.name, description: g.description ?? null },
          reason: {
            rule: g.owner,
            source: `${g.platform} has no ${g.platform === 'okta' ? 'group' : 'role'} "${g.name}"`,
          },
        }),
      );
    }
    let index = indexes.get(g.platform);
    if (!index) indexes.set(g.platform, (index = accountIndex(snapshot)));
    const { byId, byLogin } = index;
    const members = new Map<string, { key: string; id: string }>();
    for (const id of g.live?.memberIds ?? []) {
      const acct = byId.get(id);
      if (acct) members.set(acct.login.toLowerCase(), { key: acct.login, id });
    }
    const target = { name: g.name, ...(g.live ? { id: g.live.id } : {}) };
    const wanted = new Set<string>();
    for (const m of g.members) {
      const lower = m.key.toLowerCase();
      wanted.add(lower);
      if (members.has(lower)) continue;
      const live = byLogin.get(lower);
      const create = created.get(`${g.platform}:${lower}`);
      if (!live && !create) {
        findings.push({
          code: 'missing-group',
          severity: 'info',
          platform: g.platform,
          ...(m.person ? { person: m.person } : {}),
          message: `${m.key} should be in ${g.platform} "${g.name}" but has no ${g.platform} account`,
        });
        continue;
      }
      add(
        makeChange({
          address: idpMember(g.platform, g.name, live?.login ?? m.key),
          platform: g.platform,
          kind: 'membership',
          action: 'grant',
          account: { key: live?.login ?? m.key, ...(live ? { id: live.id } : {}) },
          target,
          before: null,
          after: { member: true },
          reason: {
            rule: m.rule,
            source:
              g.owner === 'groups' ? `declared in groups` : `member of the mirrored source (${g.owner})`,
          },
          dependsOn: [groupCreate?.id, create?.id].filter((x): x is string => !!x),
        }),
        m.person,
      );
    }
    if (g.mode === 'authoritative') {
      for (const [lower, m] of members) {
        if (wanted.has(lower)) continue;
        add(
          makeChange({
            address: idpMember(g.platform, g.name, m.key),
            platform: g.platform,
            kind: 'membership',
            action: 'revoke',
            account: { key: m.key, id: m.id },
            target,
            before: { member: true },
            after: null,
            reason: {
              rule: g.owner,
              source: `not a declared or mirrored member (authoritative ${g.owner === 'groups' ? 'group' : 'mirror'})`,
            },
          }),
        );
      }
    }
  }
  return { changes, findings };
}
