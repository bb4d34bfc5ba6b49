import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { Diagnostic } from '../diagnostics.js';
import { jsonLocator, positionAt } from '../locate.js';
import { toPointer } from '../pointer.js';
import type { LoadedDocument } from './document.js';
import { decodePolicyText } from './encoding.js';
import { fileDiagnostic } from './file-diagnostic.js';

/**
 * No policy needs more: the deepest real path is a condition (`all` / `any` / `not`) a dozen
 * levels down. The bound keeps the recursive parser, the schema check and the locator far from the
 * stack limit, so a hostile or generated file gets one error, not a RangeError.
 */
export const MAX_DEPTH = 64;

export interface JsonRead {
  document?: LoadedDocument;
  diagnostics: Diagnostic[];
}

/** Reads one JSON policy file from its bytes: encoding, syntax, depth, duplicate keys, numbers. */
export function readJsonPolicy(file: string, bytes: Uint8Array): JsonRead {
  const decoded = decodePolicyText(bytes);
  if ('problem' in decoded) {
    const p = decoded.problem;
    return { diagnostics: [fileDiagnostic(file, p.code, p.message, p.hint, p.at)] };
  }
  const text = decoded.text;
  if (text.trim() === '')
    return {
      diagnostics: [
        fileDiagnostic(
          file,
          'load.empty-file',
          'file is empty: a JSON policy file holds one policy document (an object)',
          'write a document such as { "access": [] }, or delete the file',
        ),
      ],
    };
  const deep = tooDeep(text);
  if (deep !== undefined)
    return {
      diagnostics: [
        fileDiagnostic(
          file,
          'parse.json-depth',
          `nesting is deeper than ${MAX_DEPTH} levels`,
          'a policy never needs this much nesting: flatten the structure (is the file generated?)',
          positionAt(text, deep),
        ),
      ],
    };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 && withoutComments(text).trim() === '')
    return {
      diagnostics: [
        fileDiagnostic(
          file,
          'load.empty-file',
          'file holds only comments: a JSON policy file holds one policy document (an object), and JSON has no comments',
          'write a document such as { "access": [] }, or delete the file',
        ),
      ],
    };
  if (errors.length > 0) return { diagnostics: [syntaxError(file, text, errors[0]!)] };
  const found = tree ? [...duplicateKeys(file, text, tree), ...badNumbers(file, text, tree)] : [];
  if (found.length > 0) return { diagnostics: found };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The two parsers disagree on a corner of the grammar: JSON.parse has the last word.
    return {
      diagnostics: [fileDiagnostic(file, 'parse.json', `malformed JSON: ${(error as Error).message}`)],
    };
  }
  return {
    document: { file, format: 'json', value, base: '', locate: jsonLocator(text, tree) },
    diagnostics: [],
  };
}

/** Offset of the first `{` or `[` that opens level MAX_DEPTH + 1, skipping strings and comments. */
function tooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return undefined;
}

const describeParseError = (code: string): string =>
  code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace('comma expected', 'expected a comma')
    .replace('colon expected', 'expected a colon');

function hintFor(text: string, error: ParseError): string {
  const code = printParseErrorCode(error.error);
  const end = text.trimEnd().length;
  // A string cut off is reported where it opens; it runs to the end all the same.
  if (error.offset >= end || (code === 'UnexpectedEndOfString' && error.offset + error.length >= end))
    return 'the JSON ends too early: is the file cut off, or a bracket or quote not closed?';
  if (code === 'UnexpectedEndOfString') return 'close the string with a double quote on the same line';
  if (code === 'InvalidCommentToken') return 'remove the comment: policy files are strict JSON, no comments';
  if (text.slice(0, error.offset).trimEnd().endsWith(',') && /^[}\]]/.test(text.slice(error.offset)))
    return 'remove the trailing comma before this bracket (policy files are strict JSON)';
  const here = text.slice(error.offset);
  if (here.startsWith("'")) return 'JSON strings and keys take double quotes: "access", not \'access\'';
  if (/^-?(NaN|Infinity)\b/.test(here)) return 'NaN and Infinity are not JSON numbers: write a number';
  if (/^[xXoObB][0-9a-fA-F]/.test(here) && text[error.offset - 1] === '0')
    return 'write numbers in decimal: JSON has no hexadecimal, octal or binary';
  if (code === 'PropertyNameExpected' || /^[A-Za-z_$]/.test(here))
    return 'keys and strings take double quotes in JSON (e.g. "access"); the only bare words are true, false and null';
  if (code === 'InvalidSymbol' || code === 'ValueExpected')
    return 'a JSON value is a string in double quotes, a number, true, false, null, an object or an array';
  return 'fix the JSON syntax at this position (policy files are strict JSON: no comments, no trailing commas)';
}

/**
 * The first slip only: after it the parser guesses, and what it trips over next is rarely a
 * second mistake (one unquoted key reads as three errors).
 */
const syntaxError = (file: string, text: string, e: ParseError): Diagnostic =>
  fileDiagnostic(
    file,
    'parse.json',
    `malformed JSON: ${describeParseError(printParseErrorCode(e.error))}`,
    hintFor(text, e),
    positionAt(text, e.offset),
  );

/** The text without its line and block comments (strings kept as they are). */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += text[i];
  }
  return out;
}

/** Walks every node with its path (depth is already bounded, so recursion is safe). */
function walk(
  node: JsonNode,
  path: (string | number)[],
  visit: (n: JsonNode, p: (string | number)[]) => void,
) {
  visit(node, path);
  if (node.type === 'array') node.children?.forEach((c, i) => walk(c, [...path, i], visit));
  if (node.type === 'object')
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (key && value) walk(value, [...path, String(key.value)], visit);
    }
}

/**
 * JSON.parse keeps the last of two equal keys without a word; in a policy that silently drops a
 * rule or a grant, so the second one is an error that names the first.
 */
function duplicateKeys(file: string, text: string, tree: JsonNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(tree, [], (node, path) => {
    if (node.type !== 'object') return;
    const first = new Map<string, JsonNode>();
    for (const property of node.children ?? []) {
      const key = property.children?.[0];
      if (!key) continue;
      const name = String(key.value);
      const earlier = first.get(name);
      if (earlier)
        out.push(
          fileDiagnostic(
            file,
            'parse.json-duplicate-key',
            `duplicate key "${name}": it is already set at line ${positionAt(text, earlier.offset).line} (JSON would silently keep only this one)`,
            'remove one of the two, or merge their values into one',
            positionAt(text, key.offset),
            toPointer([...path, name]),
          ),
        );
      else first.set(name, key);
    }
  });
  return out;
}

/** Numbers JSON.parse would turn into Infinity or round: a cap or priority must mean what it says. */
function badNumbers(file: string, text: string, tree: JsonNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(tree, [], (node, path) => {
    if (node.type !== 'number') return;
    const raw = text.slice(node.offset, node.offset + node.length);
    const value = Number(raw);
    const problem = !Number.isFinite(value)
      ? `the number ${raw} is too large to represent (it would read as ${value})`
      : /^-?\d+$/.test(raw) && !Number.isSafeInteger(value)
        ? `the integer ${raw} is too large to represent exactly (it would read as ${value})`
        : undefined;
    if (problem)
      out.push(
        fileDiagnostic(
          file,
          'parse.json-number',
          problem,
          `use a number between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
          positionAt(text, node.offset),
          toPointer(path),
        ),
      );
  });
  return out;
}
