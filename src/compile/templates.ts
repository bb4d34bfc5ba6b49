import type { Attributes } from '../model/snapshot.js';

/**
 * Renders an attribute template: `{name}` inserts a person attribute, `{name:N}` its first N
 * characters, and `{emailLocal}` the part of the email before `@`. A placeholder whose value is
 * missing renders empty; `renderTemplate` returns null when the whole result would be empty, so an
 * unknown value never overwrites a known one with "".
 */
export function renderTemplate(template: string, attributes: Attributes): string | null {
  let missing = false;
  const out = template.replace(/\{([A-Za-z_][\w.]*)(?::(\d+))?\}/g, (_m, name: string, length?: string) => {
    const raw = name === 'emailLocal' ? (attributes.email ?? '').split('@')[0] : attributes[name];
    if (raw === null || raw === undefined || raw === '') {
      missing = true;
      return '';
    }
    return length ? raw.slice(0, Number(length)) : raw;
  });
  // A template that is only placeholders and produced nothing means "no value".
  return out === '' || (missing && out.trim() === '') ? null : out;
}
