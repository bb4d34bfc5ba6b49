import { child, diagnosticAt, whereIs, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import { didYouMean } from './suggest.js';
import type { IdpId, SalesforceEventSink } from './types.js';

/** A custom object's or field's API name. */
const CUSTOM = /^[A-Za-z][A-Za-z0-9_]*__c$/;

/**
 * The `events` section (UC-18, UC-19) across documents: each setting and each alert id declared
 * once, and every platform it reads from declared in `platforms`; the Salesforce sink's org is
 * declared, and its object and fields are custom ones (`__c`), each field written once.
 */
export function checkEvents(c: Collected): Diagnostic[] {
  const out: Diagnostic[] = [];
  const once = (items: Located<unknown>[], what: (at: Located<unknown>) => string, code: string) => {
    const first = new Map<string, Located<unknown>>();
    for (const at of items) {
      const key = what(at);
      const earlier = first.get(key);
      if (earlier)
        out.push(
          diagnosticAt(
            at,
            'error',
            code,
            `${key} is declared twice (first at ${whereIs(earlier)})`,
            'keep one declaration',
          ),
        );
      else first.set(key, at);
    }
  };
  const settings = c.events.flatMap((e) => [
    ...(['sources', 'startHoursAgo'] as const)
      .filter((k) => e.value[k] !== undefined)
      .map((k) => child(e, k, `events.${k}`)),
    ...Object.keys(e.value.sinks ?? {}).map((k) => child(child(e, 'sinks', null), k, `events.sinks.${k}`)),
  ]);
  once(settings, (at) => at.value as string, 'events.duplicate');
  once(
    c.alerts.map((a) => child(a, 'id', a.value.id)),
    (at) => `alert "${at.value as string}"`,
    'events.duplicate-alert',
  );

  const declared = new Set<IdpId>(
    c.platforms.flatMap((p) => (['okta', 'onelogin'] as const).filter((k) => p.value[k] !== undefined)),
  );
  const sources = [
    ...c.events.flatMap((e) => (e.value.sources ?? []).map((s, i) => child(child(e, 'sources', null), i, s))),
    ...c.alerts.flatMap((a) =>
      (a.value.when.sources ?? []).map((s, i) => child(child(child(a, 'when', null), 'sources', null), i, s)),
    ),
  ];
  for (const at of sources) {
    if (declared.has(at.value)) continue;
    out.push(
      diagnosticAt(
        at,
        'error',
        'ref.undeclared-platform',
        `events read from ${at.value}, which platforms does not declare`,
        `declare platforms.${at.value}, or remove it here`,
      ),
    );
  }
  const orgKeys = c.platforms.flatMap((p) => Object.keys(p.value.salesforce ?? {}));
  for (const e of c.events) {
    const sink = e.value.sinks?.salesforce;
    if (sink) checkSalesforceSink(child(child(e, 'sinks', null), 'salesforce', sink), orgKeys, out);
  }
  return out;
}

function checkSalesforceSink(
  at: Located<SalesforceEventSink>,
  orgKeys: readonly string[],
  out: Diagnostic[],
): void {
  const error = (where: Located<unknown>, code: string, message: string, hint: string) =>
    out.push(diagnosticAt(where, 'error', code, message, hint));
  const s = at.value;
  if (!orgKeys.includes(s.org))
    error(
      child(at, 'org', s.org),
      'events.unknown-org',
      `the Salesforce events sink names org "${s.org}", which no document declares under "platforms"`,
      didYouMean(s.org, orgKeys) ?? `declare it under "platforms": { "salesforce": { "${s.org}": {} } }`,
    );
  if (!CUSTOM.test(s.object))
    error(
      child(at, 'object', s.object),
      'events.salesforce-object',
      `"${s.object}" is not a custom object's API name`,
      'create a custom object for the events (e.g. Login_Event__c) and name it here',
    );
  const fields: [Located<unknown>, string][] = [
    [child(at, 'externalIdField', s.externalIdField), s.externalIdField],
  ];
  for (const [part, field] of Object.entries(s.fields ?? {}))
    if (typeof field === 'string') fields.push([child(child(at, 'fields', null), part, field), field]);
  const first = new Map<string, Located<unknown>>();
  for (const [where, field] of fields) {
    if (!CUSTOM.test(field))
      error(
        where,
        'events.salesforce-field',
        `"${field}" is not a custom field's API name`,
        where === fields[0]![0]
          ? 'create a custom text field marked External ID and Unique (e.g. Accord_Event_Id__c) and name it here'
          : 'name a custom field (letters, digits and "_", ending in __c), or null to leave this part out',
      );
    const earlier = first.get(field.toLowerCase());
    if (earlier)
      error(
        where,
        'events.salesforce-field-twice',
        `${field} is written twice (also at ${whereIs(earlier)})`,
        'give each part of the event its own field',
      );
    else first.set(field.toLowerCase(), where);
  }
}
