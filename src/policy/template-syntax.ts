/**
 * The placeholder grammar of attribute templates (`{name}`, `{name:N}`), stated once: validation
 * reads which attributes a template uses, compile renders it.
 */
export const PLACEHOLDER = /\{([A-Za-z_][\w.]*)(?::(\d+))?\}/g;

/** The attribute names a template's placeholders use. */
export const templateFields = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);

/**
 * Person attributes every directory provides under these names (see AttributeFlow in types.ts);
 * `emailLocal` is the part of the email before `@`. Any other name reads a custom attribute.
 */
export const TEMPLATE_VARIABLES: readonly string[] = [
  'login',
  'email',
  'emailLocal',
  'firstName',
  'lastName',
  'displayName',
  'employeeNumber',
  'department',
  'title',
  'division',
  'manager',
  'phone',
  'location',
  'city',
  'country',
  'userType',
];

export interface TemplateProblem {
  kind: 'unclosed' | 'stray-brace' | 'empty' | 'bad-placeholder' | 'unknown-variable';
  /** 0-based index of the offending `{` or `}` in the template. */
  index: number;
  /** The placeholder as written (for `bad-placeholder` and `unknown-variable`). */
  text?: string;
  /** The known variable a misspelt name is closest to. */
  suggestion?: string;
}

const NAME = /^[A-Za-z_][\w.]*$/;

/** Optimal string alignment distance: Levenshtein plus adjacent swaps (`emial` is one slip). */
function slips(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/**
 * A known variable that `name` is almost certainly a slip of: the same but for case, or (for
 * names of five letters or more) one letter off. Custom attributes further away are taken as
 * meant, since accord cannot know every directory's profile.
 */
export function misspeltVariable(name: string): string | undefined {
  if (TEMPLATE_VARIABLES.includes(name)) return undefined;
  const lower = name.toLowerCase();
  const sameCase = TEMPLATE_VARIABLES.find((v) => v.toLowerCase() === lower);
  if (sameCase) return sameCase;
  if (name.length < 5 || name.length > 40) return undefined;
  return TEMPLATE_VARIABLES.find((v) => v.length >= 5 && slips(lower, v.toLowerCase()) <= 1);
}

/**
 * What is wrong with a template, in order: braces that do not pair, placeholders that are empty
 * or not `{name}` / `{name:N}` (N at least 1), and names that are a slip of a known variable.
 */
export function templateProblems(template: string): TemplateProblem[] {
  const out: TemplateProblem[] = [];
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '}') {
      out.push({ kind: 'stray-brace', index: i });
      i++;
      continue;
    }
    if (c !== '{') {
      i++;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    const reopen = template.indexOf('{', i + 1);
    if (close < 0 || (reopen >= 0 && reopen < close)) {
      out.push({ kind: 'unclosed', index: i });
      i = close < 0 ? template.length : reopen;
      continue;
    }
    const inner = template.slice(i + 1, close);
    const [name = '', length, ...extra] = inner.split(':');
    if (inner.trim() === '') out.push({ kind: 'empty', index: i, text: template.slice(i, close + 1) });
    else if (!NAME.test(name) || extra.length > 0 || (length !== undefined && !/^[1-9]\d{0,3}$/.test(length)))
      out.push({ kind: 'bad-placeholder', index: i, text: template.slice(i, close + 1) });
    else {
      const suggestion = misspeltVariable(name);
      if (suggestion) out.push({ kind: 'unknown-variable', index: i, text: name, suggestion });
    }
    i = close + 1;
  }
  return out;
}
