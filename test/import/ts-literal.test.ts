/**
 * UC-27 `--policy-format ts`: the TypeScript literal import writes for a policy document reads back
 * as the same JSON value, whatever the strings hold (quotes, backslashes, line breaks, U+2028,
 * keys that are not names), property-tested over arbitrary JSON.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { tsLiteral, tsPolicyModule } from '../../src/import/files.js';

// The literal is plain JavaScript too (no type syntax), so evaluating it reads it back.
const readBack = (literal: string): unknown => new Function(`return (${literal});`)() as unknown;

describe('UC-27 import: policy documents as TypeScript literals', () => {
  it('reads back as the same value, for any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON.parse(JSON.stringify(...)) drops -0 the same way the files' JSON does.
        const json = JSON.parse(JSON.stringify(value)) as unknown;
        expect(readBack(tsLiteral(json, ''))).toEqual(json);
      }),
      { numRuns: 300 },
    );
  });

  it("quotes what needs it: org keys like '*', hostile strings", () => {
    const doc = { grants: { '*': { profile: 'O\'Brien \\ "x"\n\u2028' } }, 'a-b': [] };
    const literal = tsLiteral(doc, '');
    expect(literal).toBe(`{ grants: { '*': { profile: 'O\\'Brien \\\\ "x"\\n\\u2028' } }, 'a-b': [] }`);
    expect(readBack(literal)).toEqual(doc);
  });

  it('writes a definePolicy module with its header line', () => {
    const text = tsPolicyModule({ name: 'access.json', document: { access: [] }, header: 'Hello.' });
    expect(text).toBe(
      `// Hello.\nimport { definePolicy } from 'accord-access';\n\nexport default definePolicy({ access: [] });\n`,
    );
  });
});
