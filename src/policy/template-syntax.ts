/**
 * The placeholder grammar of attribute templates (`{name}`, `{name:N}`), stated once: validation
 * reads which attributes a template uses, compile renders it.
 */
export const PLACEHOLDER = /\{([A-Za-z_][\w.]*)(?::(\d+))?\}/g;

/** The attribute names a template's placeholders use. */
export const templateFields = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
