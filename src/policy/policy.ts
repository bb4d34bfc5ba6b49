import { digestOf } from '../model/canonical-json.js';
import type { Collected } from './collect.js';
import type {
  AccessException,
  AccessRule,
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
  settings: Required<Settings>;
  platforms: Platforms;
  identity: Identity;
  links: IdentityLink[];
  groups: ManagedGroup[];
  mirrors: Mirror[];
  access: AccessRule[];
  exceptions: AccessException[];
  lifecycle: Lifecycle;
  guardrails: Guardrails;
  /** Files the policy came from, in load order. */
  files: string[];
  /** sha256 of the merged policy's canonical JSON: saved plans carry it to detect a changed policy. */
  digest: string;
}

export function mergePolicy(c: Collected): Policy {
  const settings = Object.assign({}, ...c.settings.map((s) => s.value)) as Settings;
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
    settings: { allowCode: settings.allowCode ?? true, environment: settings.environment ?? 'default' },
    platforms,
    identity: c.identities[0]!.value,
    links: c.links.map((l) => l.value),
    groups: c.groups.map((g) => g.value),
    mirrors: c.mirrors.map((m) => m.value),
    access: c.access.map((a) => a.value),
    exceptions: c.exceptions.map((e) => e.value),
    lifecycle,
    guardrails,
  };
  return {
    ...body,
    files: [...new Set(c.documents.map((d) => d.file))],
    digest: digestOf(body),
  };
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
