import { child, diagnosticAt, whereIs, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import type { IdpId } from './types.js';

/**
 * The `events` section (UC-18, UC-19) across documents: each setting and each alert id declared
 * once, and every platform it reads from declared in `platforms`.
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
  return out;
}
