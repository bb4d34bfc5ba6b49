import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { jsonLocator, positionAt, type Locator } from '../policy/locate.js';
import { toPointer } from '../policy/pointer.js';
import { RESTORE, type StateProblem } from './state-problem.js';

export type ParsedState = { value: unknown; locate: Locator } | { problems: StateProblem[] };

const SYNTAX: Partial<Record<ReturnType<typeof printParseErrorCode>, string>> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'not a valid number',
  PropertyNameExpected: 'expected a key in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected a colon',
  CommaExpected: 'expected a comma',
  CloseBraceExpected: 'expected }',
  CloseBracketExpected: 'expected ]',
  EndOfFileExpected: 'unexpected text after the end of the JSON value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfString: 'a string is not closed',
  InvalidEscapeCharacter: 'not a valid escape in a string',
  InvalidCharacter: 'a control character inside a string',
};

/**
 * Strict JSON (no comments, no trailing commas) with the position of the first slip, and keys
 * written twice refused: JSON.parse would keep the last one silently, and a second entry for a
 * person is exactly what a hand edit of `links` looks like.
 */
export function parseStateJson(text: string): ParsedState {
  if (text.charCodeAt(0) === 0xfeff)
    return {
      problems: [
        {
          pointer: '',
          at: { line: 1, column: 1 },
          message: 'starts with a byte order mark; accord writes state as UTF-8 without one',
          hint: `an editor saved it: ${RESTORE}`,
        },
      ],
    };
  if (text.trim() === '') return { problems: [{ pointer: '', message: 'is empty' }] };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first) {
    const code = printParseErrorCode(first.error);
    const end = text.trimEnd().length;
    // A string cut off is reported where it opens; it runs to the end all the same.
    const truncated =
      first.offset >= end || (code === 'UnexpectedEndOfString' && first.offset + first.length >= end);
    const words = truncated
      ? 'the JSON ends too early (is the file cut off?)'
      : (SYNTAX[code] ?? 'malformed JSON');
    return { problems: [{ pointer: '', at: positionAt(text, first.offset), message: `not JSON: ${words}` }] };
  }
  const duplicates = tree ? duplicateKeys(tree, text) : [];
  if (duplicates.length > 0) return { problems: duplicates };
  try {
    return { value: JSON.parse(text) as unknown, locate: jsonLocator(text, tree) };
  } catch (error) {
    // The two parsers disagree on some corner of the grammar: JSON.parse has the last word.
    return { problems: [{ pointer: '', message: `not JSON: ${(error as Error).message}` }] };
  }
}

function duplicateKeys(tree: JsonNode, text: string): StateProblem[] {
  const problems: StateProblem[] = [];
  const walk = (node: JsonNode, path: (string | number)[]) => {
    if (node.type === 'array') node.children?.forEach((child, i) => walk(child, [...path, i]));
    if (node.type !== 'object') return;
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      const key = String(keyNode?.value);
      if (seen.has(key))
        problems.push({
          pointer: toPointer([...path, key]),
          at: positionAt(text, keyNode!.offset),
          message: `the key "${key}" is written twice in one object (JSON keeps only the last)`,
        });
      seen.add(key);
      if (valueNode) walk(valueNode, [...path, key]);
    }
  };
  walk(tree, []);
  return problems;
}
