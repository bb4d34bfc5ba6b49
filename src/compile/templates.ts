import type { Attributes } from '../model/snapshot.js';
import { PLACEHOLDER } from '../policy/template-syntax.js';

/**
 * Renders an attribute template: `{name}` inserts a person attribute, `{name:N}` its first N
 * characters, and `{emailLocal}` the part of the email before `@`. A placeholder whose value is
 * missing renders empty; `renderTemplate` returns null when the whole result would be empty, so an
 * unknown value never overwrites a known one with "".
 */
type Part = string | { name: string; length?: number };

// Templates are few and people many: each template is parsed once (100k people × 3 orgs × ~10 fields).
const parsed = new Map<string, Part[]>();
function parse(template: string): Part[] {
  let parts = parsed.get(template);
  if (parts) return parts;
  parts = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ name: m[1]!, ...(m[2] ? { length: Number(m[2]) } : {}) });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  parsed.set(template, parts);
  return parts;
}

type Placeholder = Exclude<Part, string>;
const rawOf = (part: Placeholder, attributes: Attributes) =>
  part.name === 'emailLocal' ? (attributes.email ?? '').split('@')[0] : attributes[part.name];
const cut = (raw: string, part: Placeholder) => (part.length !== undefined ? raw.slice(0, part.length) : raw);

export function renderTemplate(template: string, attributes: Attributes): string | null {
  const parts = parse(template);
  // Most templates are one attribute (`{department}`): its value as it is, no new string.
  const only = parts.length === 1 ? parts[0]! : undefined;
  if (only !== undefined && typeof only !== 'string') {
    const raw = rawOf(only, attributes);
    return raw ? cut(raw, only) || null : null;
  }
  let out = '';
  let missing = false;
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const raw = rawOf(part, attributes);
    if (raw === null || raw === undefined || raw === '') missing = true;
    else out += cut(raw, part);
  }
  // A template that is only placeholders and produced nothing means "no value".
  return out === '' || (missing && out.trim() === '') ? null : out;
}
