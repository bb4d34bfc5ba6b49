import { collect } from './collect.js';
import { crossChecks } from './cross-checks.js';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { checkFlows } from './flows.js';
import { loadPolicies, type LoadedDocument, type LoadOptions } from './load.js';
import { mergePolicy, type Policy } from './policy.js';
import { cutsDeclarations, salvage } from './salvage.js';
import { checkSchema } from './schema-check.js';
import type { PolicyDocument } from './types.js';

export interface ValidateOptions {
  /** Today's date (UTC, YYYY-MM-DD); defaults to the real one. */
  today?: string;
  /**
   * Some policy file could not be read at all, so what it declares is unknown: checks that
   * conclude "nothing declares X" stay silent rather than guess.
   */
  incomplete?: boolean;
}

export interface ValidationResult {
  /** The merged policy, present only when there are no errors. */
  policy?: Policy;
  /** Every error and warning, sorted by file and position. */
  diagnostics: Diagnostic[];
}

const todayUtc = () => new Date().toISOString().slice(0, 10);

const declaresIdentity = (doc: LoadedDocument) =>
  typeof doc.value === 'object' && doc.value !== null && Object.hasOwn(doc.value, 'identity');

/**
 * Validates loaded documents: each against the schema, then all of them together (references,
 * duplicates, ownership, flow cycles). A document with schema errors takes part in the
 * cross-document checks with its invalid parts cut out (salvage.ts), so one run reports both
 * kinds; the policy is merged only when every document is valid.
 */
export function validateDocuments(
  documents: LoadedDocument[],
  options: ValidateOptions = {},
): ValidationResult {
  const checked = documents.map((doc) => ({ doc, diagnostics: checkSchema(doc) }));
  const salvaged = checked.map(({ doc, diagnostics }) =>
    diagnostics.length === 0 ? { doc, removed: [] } : salvage(doc),
  );
  const usable = salvaged.flatMap((s) => (s.doc ? [s.doc] : []));
  const collected = collect(usable);
  const orgKeys = [
    ...new Set(
      collected.platforms.flatMap((p) =>
        Object.keys((p.value as PolicyDocument['platforms'])?.salesforce ?? {}),
      ),
    ),
  ];
  const declarationsIncomplete =
    options.incomplete === true || salvaged.some((s) => cutsDeclarations(s.removed));
  const diagnostics = [
    ...checked.flatMap((d) => d.diagnostics),
    ...crossChecks(collected, orgKeys, {
      today: options.today ?? todayUtc(),
      identityInInvalidDocument:
        options.incomplete === true ||
        checked.some((d) => d.diagnostics.length > 0 && declaresIdentity(d.doc)),
      declarationsIncomplete,
    }),
    ...checkFlows(collected, orgKeys),
  ];
  const sorted = sortDiagnostics(diagnostics);
  const allValid = checked.every((d) => d.diagnostics.length === 0);
  // A policy is merged from a complete, valid set only (a suppressed "missing" is still missing).
  const invalid =
    hasErrors(sorted) ||
    !allValid ||
    documents.length === 0 ||
    options.incomplete === true ||
    collected.identities.length === 0;
  return invalid ? { diagnostics: sorted } : { policy: mergePolicy(collected), diagnostics: sorted };
}

/** Loads and validates the policies folder: the first two stages of every command. */
export async function loadPolicy(
  dir: string,
  options: LoadOptions & ValidateOptions = {},
): Promise<ValidationResult> {
  const loaded = await loadPolicies(dir, options);
  const validated = validateDocuments(loaded.documents, {
    ...options,
    incomplete: options.incomplete === true || hasErrors(loaded.diagnostics),
  });
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...validated.diagnostics]);
  return hasErrors(loaded.diagnostics) ? { diagnostics } : { ...validated, diagnostics };
}
