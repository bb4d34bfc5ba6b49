import type { ContactValue, DesiredContact, DesiredCrmAccount } from '../compile/desired-contacts.js';
import type { Change } from '../model/change.js';
import type { SalesforceSnapshot } from '../model/snapshot.js';
import { salesforceContact, salesforceCrmAccount } from './addresses.js';
import { makeChange } from './make-change.js';

/**
 * Diff of one org's Contacts and the Accounts they need (UC-14, UC-15). A Contact change names
 * its Account as `{ <field>: <value> }` (the lookup, not an id: the provider resolves it, and an
 * Account this plan creates has none yet); `target.name` is the External ID field it is upserted
 * by. Only owned fields are compared, so CRM-side edits to the others survive.
 */
export function diffContacts(
  org: string,
  snapshot: SalesforceSnapshot,
  desired: { contacts: readonly DesiredContact[]; crmAccounts: readonly DesiredCrmAccount[] },
): Change[] {
  const contacts = desired.contacts.filter((d) => d.org === org);
  const accounts = desired.crmAccounts.filter((a) => a.org === org);
  const changes: Change[] = [];
  const platform = snapshot.platform;
  const created = new Map<string, string>();
  for (const a of accounts) {
    const change = makeChange({
      address: salesforceCrmAccount(org, a.field, a.value),
      platform,
      kind: 'crmAccount',
      action: 'create',
      account: { key: `${a.field}=${a.value}` },
      target: { name: a.field },
      before: null,
      after: sorted(a.fields),
      reason: { rule: a.rule, source: a.fact },
    });
    created.set(refKey(a.field, a.value), change.id);
    changes.push(change);
  }
  const liveAccounts = new Map((snapshot.accounts ?? []).map((a) => [a.id, a]));
  for (const d of contacts) {
    const base = {
      address: salesforceContact(org, d.key),
      platform,
      kind: 'contact' as const,
      account: d.live ? { key: d.externalId, id: d.live.id } : { key: d.externalId },
      target: { name: d.externalIdField },
      reason: { rule: d.rule, source: d.fact },
    };
    const waitFor =
      d.account && !d.account.id ? created.get(refKey(d.account.field, d.account.value)) : undefined;
    const dependsOn = waitFor ? [waitFor] : [];
    if (!d.live) {
      const after: Record<string, unknown> = { [d.externalIdField]: d.externalId };
      for (const [f, v] of Object.entries(d.fields)) if (v !== null) after[f] = v;
      if (d.account) after.Account = { [d.account.field]: d.account.value };
      changes.push(makeChange({ ...base, action: 'create', before: null, after: sorted(after), dependsOn }));
      continue;
    }
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [f, v] of Object.entries(d.fields)) {
      const current: ContactValue = d.live.fields[f] ?? null;
      if (current === v) continue;
      before[f] = current;
      after[f] = v;
    }
    if (d.present && d.account && d.live.accountId !== (d.account.id ?? null)) {
      const current = d.live.accountId ? liveAccounts.get(d.live.accountId) : undefined;
      before.Account = current ? { [d.account.field]: current.fields[d.account.field] ?? null } : null;
      after.Account = { [d.account.field]: d.account.value };
    }
    if (Object.keys(after).length === 0) continue;
    const reactivated = d.present && d.live.fields[d.inactive.field] === d.inactive.value;
    changes.push(
      makeChange({
        ...base,
        action: !d.present ? 'deactivate' : reactivated ? 'activate' : 'update',
        before: sorted(before),
        after: sorted(after),
        dependsOn,
      }),
    );
  }
  return changes;
}

const refKey = (field: string, value: string) => `${field.toLowerCase()}\n${value.toLowerCase()}`;

/** Keys in code-unit order, as a saved plan (canonical JSON) reads them back. */
function sorted<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k]!;
  return out;
}
