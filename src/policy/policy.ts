import { digestOf } from '../model/canonical-json.js';
import { child, type Collected, type Located } from './collect.js';
import type {
  AccessException,
  AccessRule,
  ContactSync,
  EventsSettings,
  Guardrails,
  Identity,
  IdentityLink,
  Lifecycle,
  ManagedGroup,
  Mirror,
  Platforms,
  Settings,
} from './types.js';

/**
 * The whole policy, merged from every document of the folder: what compile and plan consume.
 * Built only from documents that passed validation.
 */
export interface Policy {
  /** `reconcile` stays absent unless declared, so declaring nothing new keeps every digest. */
  settings: Required<Omit<Settings, 'reconcile'>> & Pick<Settings, 'reconcile'>;
  platforms: Platforms;
  identity: Identity;
  links: IdentityLink[];
  groups: ManagedGroup[];
  mirrors: Mirror[];
  access: AccessRule[];
  exceptions: AccessException[];
  /** Contact declarations in load order (UC-14, UC-15); absent in policies built by hand. */
  contacts?: ContactSync[];
  lifecycle: Lifecycle;
  guardrails: Guardrails;
  /**
   * `accord events pull` (UC-18, UC-19), when declared. Outside the digest: it changes what is
   * pulled and alerted, never what a plan does.
   */
  events?: EventsSettings;
  /** Files the policy came from, in load order. */
  files: string[];
  /**
   * Every place the policy names a person (exceptions, links, successors and whom they name),
   * with where it says so: only the snapshot can tell whether the person exists, and a name that
   * matches nobody must not validate, then do nothing. Outside the digest: moving a line is no
   * policy change.
   */
  personReferences?: PersonReference[];
  /** sha256 of the merged policy's canonical JSON: saved plans carry it to detect a changed policy. */
  digest: string;
}

export interface PersonReference {
  person: string;
  /** e.g. `exceptions["ana-reports"].person`. */
  what: string;
  /** `file:line:column`. */
  where: string;
  pointer: string;
}

function referenceAt(at: Located<string>, what: string, onKey = false): PersonReference {
  const pos = onKey ? at.doc.locate.key(at.pointer) : at.doc.locate.value(at.pointer);
  return { person: at.value, what, where: `${at.doc.file}:${pos.line}:${pos.column}`, pointer: at.pointer };
}

function personReferences(c: Collected): PersonReference[] {
  return [
    ...c.exceptions.map((x) =>
      referenceAt(child(x, 'person', x.value.person), `exceptions["${x.value.id}"].person`),
    ),
    ...c.links.map((l) =>
      referenceAt(child(l, 'person', l.value.person), `links["${l.value.person}"].person`),
    ),
    ...c.lifecycles.flatMap((l) =>
      Object.entries(l.value.successors ?? {}).flatMap(([leaver, successor]) => {
        const successors = child(l, 'successors', null);
        return [
          referenceAt(child(successors, leaver, leaver), `lifecycle.successors["${leaver}"]`, true),
          referenceAt(
            child(successors, leaver, successor),
            `lifecycle.successors["${leaver}"] (the successor)`,
          ),
        ];
      }),
    ),
  ];
}

export function mergePolicy(c: Collected): Policy {
  // Spreads, not Object.assign: an own `__proto__` key is copied as a key, never set as a prototype.
  const settings = c.settings.reduce<Settings>((all, s) => ({ ...all, ...s.value }), {});
  const platforms: Platforms = {};
  for (const { value } of c.platforms) {
    if (value.okta) platforms.okta = value.okta;
    if (value.onelogin) platforms.onelogin = value.onelogin;
    if (value.salesforce) platforms.salesforce = { ...platforms.salesforce, ...value.salesforce };
  }
  const lifecycle: Lifecycle = {};
  for (const { value } of c.lifecycles) {
    if (value.okta) lifecycle.okta = value.okta;
    if (value.onelogin) lifecycle.onelogin = value.onelogin;
    if (value.salesforce) lifecycle.salesforce = { ...lifecycle.salesforce, ...value.salesforce };
    if (value.successors) lifecycle.successors = { ...lifecycle.successors, ...value.successors };
    if (value.statuses) lifecycle.statuses = { ...lifecycle.statuses, ...value.statuses };
    if (value.orphans) lifecycle.orphans = value.orphans;
    if (value.inactivity) lifecycle.inactivity = value.inactivity;
  }
  const guardrails: Guardrails = {};
  for (const { value } of c.guardrails) {
    if (value.protectedAccounts)
      guardrails.protectedAccounts = [...(guardrails.protectedAccounts ?? []), ...value.protectedAccounts];
    if (value.maxDeprovision) guardrails.maxDeprovision = value.maxDeprovision;
    if (value.sensitive) guardrails.sensitive = [...(guardrails.sensitive ?? []), ...value.sensitive];
    if (value.separationOfDuties)
      guardrails.separationOfDuties = [...(guardrails.separationOfDuties ?? []), ...value.separationOfDuties];
  }
  const body = {
    settings: {
      allowCode: settings.allowCode ?? true,
      environment: settings.environment ?? 'default',
      ...(settings.reconcile ? { reconcile: settings.reconcile } : {}),
    },
    platforms,
    identity: c.identities[0]!.value,
    links: c.links.map((l) => l.value),
    groups: c.groups.map((g) => g.value),
    mirrors: c.mirrors.map((m) => m.value),
    access: c.access.map((a) => a.value),
    exceptions: c.exceptions.map((e) => e.value),
    // Only when declared: a policy without contacts keeps the digest it had before they existed.
    ...(c.contacts.length > 0 ? { contacts: c.contacts.map((x) => x.value) } : {}),
    lifecycle,
    guardrails,
  };
  const events = mergeEvents(c);
  return {
    ...body,
    contacts: c.contacts.map((x) => x.value),
    ...(events ? { events } : {}),
    files: [...new Set(c.documents.map((d) => d.file))],
    personReferences: personReferences(c),
    digest: digestOf(body),
  };
}

/** Every document's `events` in one; validation has made sure each field is declared once. */
function mergeEvents(c: Collected): EventsSettings | undefined {
  if (c.events.length === 0) return undefined;
  const merged: EventsSettings = {};
  for (const { value } of c.events) {
    if (value.sources) merged.sources = value.sources;
    if (value.startHoursAgo !== undefined) merged.startHoursAgo = value.startHoursAgo;
    if (value.sinks) merged.sinks = { ...merged.sinks, ...value.sinks };
  }
  const alerts = c.alerts.map((a) => a.value);
  return alerts.length > 0 ? { ...merged, alerts } : merged;
}

/** Counts for `accord validate`'s summary line. */
export function summarize(policy: Policy) {
  return {
    documents: policy.files.length,
    rules: policy.access.length,
    orgs: Object.keys(policy.platforms.salesforce ?? {}).length,
    mirrors: policy.mirrors.length,
    managedGroups: policy.groups.length,
    exceptions: policy.exceptions.length,
  };
}
