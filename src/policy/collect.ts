import type { Diagnostic, Severity } from './diagnostics.js';
import type { LoadedDocument } from './load.js';
import { escapeSegment } from './pointer.js';
import type {
  AccessException,
  AccessRule,
  AttributeFlow,
  ContactSync,
  EventAlert,
  EventsSettings,
  Guardrails,
  Identity,
  IdentityLink,
  Lifecycle,
  ManagedGroup,
  Mirror,
  Platforms,
  PolicyDocument,
  Population,
  SeparationOfDuties,
  Settings,
} from './types.js';
import { appendAll } from '../model/arrays.js';

/** A policy value together with where it was written, so cross-document checks can point at it. */
export interface Located<T> {
  value: T;
  doc: LoadedDocument;
  pointer: string;
}

/** Every section of every document, flattened and located. Documents are in load order. */
export interface Collected {
  documents: LoadedDocument[];
  settings: Located<Settings>[];
  platforms: Located<Platforms>[];
  identities: Located<Identity>[];
  populations: Located<Population>[];
  attributeFlows: Located<AttributeFlow>[];
  links: Located<IdentityLink>[];
  groups: Located<ManagedGroup>[];
  mirrors: Located<Mirror>[];
  access: Located<AccessRule>[];
  exceptions: Located<AccessException>[];
  contacts: Located<ContactSync>[];
  lifecycles: Located<Lifecycle>[];
  guardrails: Located<Guardrails>[];
  separationOfDuties: Located<SeparationOfDuties>[];
  events: Located<EventsSettings>[];
  alerts: Located<EventAlert>[];
}

// An entry cut from a document with schema errors (see salvage.ts) is blank: the rest keep their index.
const each = <T>(doc: LoadedDocument, pointer: string, items: T[] | undefined): Located<T>[] =>
  (items ?? []).flatMap((value, i) =>
    value === undefined ? [] : [{ value, doc, pointer: `${pointer}/${i}` }],
  );

const one = <T>(doc: LoadedDocument, pointer: string, value: T | undefined): Located<T>[] =>
  value === undefined ? [] : [{ value, doc, pointer }];

/** Collects schema-valid documents (validated, or what salvage.ts left of them). */
export function collect(documents: LoadedDocument[]): Collected {
  const out: Collected = {
    documents,
    settings: [],
    platforms: [],
    identities: [],
    populations: [],
    attributeFlows: [],
    links: [],
    groups: [],
    mirrors: [],
    access: [],
    exceptions: [],
    contacts: [],
    lifecycles: [],
    guardrails: [],
    separationOfDuties: [],
    events: [],
    alerts: [],
  };
  for (const doc of documents) {
    const d = doc.value as PolicyDocument;
    const b = doc.base;
    appendAll(out.settings, one(doc, `${b}/settings`, d.settings));
    appendAll(out.platforms, one(doc, `${b}/platforms`, d.platforms));
    appendAll(out.identities, one(doc, `${b}/identity`, d.identity));
    appendAll(out.populations, each(doc, `${b}/identity/populations`, d.identity?.populations));
    appendAll(out.attributeFlows, each(doc, `${b}/identity/attributes`, d.identity?.attributes));
    appendAll(out.links, each(doc, `${b}/links`, d.links));
    appendAll(out.groups, each(doc, `${b}/groups`, d.groups));
    appendAll(out.mirrors, each(doc, `${b}/mirrors`, d.mirrors));
    appendAll(out.access, each(doc, `${b}/access`, d.access));
    appendAll(out.exceptions, each(doc, `${b}/exceptions`, d.exceptions));
    appendAll(out.contacts, each(doc, `${b}/contacts`, d.contacts));
    appendAll(out.lifecycles, one(doc, `${b}/lifecycle`, d.lifecycle));
    appendAll(out.guardrails, one(doc, `${b}/guardrails`, d.guardrails));
    appendAll(
      out.separationOfDuties,
      each(doc, `${b}/guardrails/separationOfDuties`, d.guardrails?.separationOfDuties),
    );
    appendAll(out.events, one(doc, `${b}/events`, d.events));
    appendAll(out.alerts, each(doc, `${b}/events/alerts`, d.events?.alerts));
  }
  return out;
}

/** A diagnostic pointing at a located value (or at one of its keys). */
export function diagnosticAt(
  at: { doc: LoadedDocument; pointer: string },
  severity: Severity,
  code: string,
  message: string,
  hint?: string,
  onKey = false,
): Diagnostic {
  const pos = onKey ? at.doc.locate.key(at.pointer) : at.doc.locate.value(at.pointer);
  return {
    severity,
    code,
    file: at.doc.file,
    line: pos.line,
    column: pos.column,
    pointer: at.pointer,
    message,
    ...(hint ? { hint } : {}),
  };
}

/** `file:line` of a located value, for "first declared at ..." messages. */
export const whereIs = (at: { doc: LoadedDocument; pointer: string }): string => {
  const pos = at.doc.locate.value(at.pointer);
  return `${at.doc.file}:${pos.line}`;
};

export const child = <T>(at: Located<unknown>, key: string | number, value: T): Located<T> => ({
  value,
  doc: at.doc,
  pointer: `${at.pointer}/${escapeSegment(key)}`,
});
