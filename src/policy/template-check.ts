import { child, diagnosticAt, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import { TEMPLATE_VARIABLES, templateProblems, type TemplateProblem } from './template-syntax.js';

/** Appends without spreading into a call (a long list would overflow the stack). */
const add = (out: Diagnostic[], items: readonly Diagnostic[]): void => {
  for (const d of items) out.push(d);
};

/**
 * Checks every `{...}` template of a policy (attribute flows, Salesforce username, federation id
 * and alias): a malformed one would otherwise be written literally into every user it touches.
 */

const VARIABLES = `variables: ${TEMPLATE_VARIABLES.join(', ')}, or a custom profile attribute by its exact name`;

function explain(template: string, p: TemplateProblem): { code: string; message: string; hint: string } {
  const quoted = JSON.stringify(template);
  const at = `at character ${p.index + 1}`;
  switch (p.kind) {
    case 'unclosed':
      return {
        code: 'template.unclosed',
        message: `template ${quoted} has a "{" that is not closed (${at})`,
        hint: `close the placeholder with "}": {name} inserts an attribute, {name:N} its first N characters; ${VARIABLES}`,
      };
    case 'stray-brace':
      return {
        code: 'template.stray-brace',
        message: `template ${quoted} has a "}" that closes nothing (${at})`,
        hint: `remove it, or open the placeholder with "{"; ${VARIABLES}`,
      };
    case 'empty':
      return {
        code: 'template.empty-placeholder',
        message: `template ${quoted} has an empty placeholder ${p.text!} (${at})`,
        hint: `name an attribute inside the braces, e.g. {email}; ${VARIABLES}`,
      };
    case 'bad-placeholder':
      return {
        code: 'template.bad-placeholder',
        message: `template ${quoted} has a malformed placeholder ${p.text!} (${at})`,
        hint: `write {name} or {name:N} with N a whole number from 1 (a name is letters, digits, "_" and "."); ${VARIABLES}`,
      };
    case 'unknown-variable':
      return {
        code: 'template.unknown-variable',
        message: `template ${quoted} uses unknown variable "${p.text!}" (${at})`,
        hint: `did you mean "${p.suggestion!}"? ${VARIABLES[0]!.toUpperCase()}${VARIABLES.slice(1)}`,
      };
  }
}

function check(at: Located<string>): Diagnostic[] {
  return templateProblems(at.value).map((p) => {
    const { code, message, hint } = explain(at.value, p);
    return diagnosticAt(at, 'error', code, message, hint);
  });
}

export function checkTemplates(c: Collected): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const flow of c.attributeFlows) {
    const fields = child(flow, 'fields', flow.value.fields);
    for (const [field, template] of Object.entries(flow.value.fields))
      add(out, check(child(fields, field, template)));
  }
  for (const identity of c.identities) {
    const byOrg = child(identity, 'salesforce', identity.value.salesforce);
    for (const [org, settings] of Object.entries(identity.value.salesforce ?? {})) {
      const at = child(byOrg, org, settings);
      for (const key of ['username', 'federationId', 'alias'] as const)
        if (settings[key] !== undefined) add(out, check(child(at, key, settings[key])));
    }
  }
  return out;
}
