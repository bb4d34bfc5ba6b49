import { collect } from './collect.js';
import { crossChecks } from './cross-checks.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { checkFlows } from './flows.js';
import { loadPolicies, type LoadedDocument, type LoadOptions } from './load.js';
import { mergePolicy, type Policy } from './policy.js';
import { checkSchema } from './schema-check.js';
import type { PolicyDocument } from './types.js';

export interface ValidateOptions {
  /** Today's date (UTC, YYYY-MM-DD); defaults to the real one. */
  today?: string;
}

export interface ValidationResult {
  /** The merged policy, present only when there are no errors. */
  policy?: Policy;
  /** Every error and warning, sorted by file and position. */
  diagnostics: Diagnostic[];
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * Validates loaded documents: each against the schema, then all of them together (references,
 * duplicates, ownership, flow cycles). Cross-document checks see only schema-valid documents, so
 * they never trip over a malformed one; its schema errors are reported instead.
 */
export function validateDocuments(
  documents: LoadedDocument[],
  options: ValidateOptions = {},
): ValidationResult {
  const schemaDiagnostics = documents.map((doc) => ({ doc, diagnostics: checkSchema(doc) }));
  const valid = schemaDiagnostics.filter((d) => d.diagnostics.length === 0).map((d) => d.doc);
  const collected = collect(valid);
  const orgKeys = [
    ...new Set(
      collected.platforms.flatMap((p) =>
        Object.keys((p.value as PolicyDocument['platforms'])?.salesforce ?? {}),
      ),
    ),
  ];
  const diagnostics = [
    ...schemaDiagnostics.flatMap((d) => d.diagnostics),
    ...crossChecks(collected, orgKeys, {
      today: options.today ?? todayUtc(),
      identityInInvalidDocument: schemaDiagnostics.some(
        (d) =>
          d.diagnostics.length > 0 &&
          typeof d.doc.value === 'object' &&
          d.doc.value !== null &&
          'identity' in d.doc.value,
      ),
    }),
    ...checkFlows(collected, orgKeys),
  ];
  const sorted = sortDiagnostics(diagnostics);
  const invalid = hasErrors(sorted) || valid.length !== documents.length || documents.length === 0;
  return invalid ? { diagnostics: sorted } : { policy: mergePolicy(collected), diagnostics: sorted };
}

/** Loads and validates the policies folder: the first two stages of every command. */
export async function loadPolicy(
  dir: string,
  options: LoadOptions & ValidateOptions = {},
): Promise<ValidationResult> {
  const loaded = await loadPolicies(dir, options);
  const validated = validateDocuments(loaded.documents, options);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...validated.diagnostics]);
  return hasErrors(loaded.diagnostics) ? { diagnostics } : { ...validated, diagnostics };
}
