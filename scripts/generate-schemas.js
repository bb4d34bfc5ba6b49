#!/usr/bin/env node
// Generates schemas/policy.schema.json from src/policy/types.ts, or with --check fails when the
// committed schema differs from what types.ts generates (CI keeps the two in step).
// The generator is pointed at types.ts alone, not at tsconfig.json: compiling the whole program
// would let a type error in any test abort the generation.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import TJS from 'typescript-json-schema';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/policy/types.ts`;
const target = `${root}schemas/policy.schema.json`;

const program = TJS.getProgramFromFiles([source], { strict: true, strictNullChecks: true }, root);
const schema = TJS.generateSchema(program, 'PolicyDocument', {
  required: true,
  noExtraProps: true,
  strictNullChecks: true,
  ref: true,
  aliasRef: false,
  topRef: false,
  titles: false,
  defaultProps: false,
  validationKeywords: ['example', 'minProperties', 'maxProperties'],
});
if (!schema) {
  console.error('schemas: typescript-json-schema produced nothing for PolicyDocument');
  process.exit(1);
}
// draft-07 knows `examples` (an array), not the `example` tag the JSDoc uses.
const renameExamples = (node) => {
  if (Array.isArray(node)) return node.forEach(renameExamples);
  if (!node || typeof node !== 'object') return;
  if ('example' in node && !('type' in node && node.type === 'object' && node.properties?.example)) {
    node.examples = [node.example];
    delete node.example;
  }
  Object.values(node).forEach(renameExamples);
};
renameExamples(schema);
// typescript-json-schema repeats a type's own keywords beside each `$ref` to it; draft-07 ignores
// siblings of `$ref`, so keep only the annotations and let the referenced definition validate.
const tidyRefs = (node) => {
  if (Array.isArray(node)) return node.forEach(tidyRefs);
  if (!node || typeof node !== 'object') return;
  if (typeof node.$ref === 'string') {
    for (const key of Object.keys(node))
      if (!['$ref', 'description', 'examples'].includes(key)) delete node[key];
  }
  Object.values(node).forEach(tidyRefs);
};
tidyRefs(schema);
schema.$id = 'https://accord.dev/schemas/policy.schema.json';
schema.title = 'accord policy document';
const text = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (committed !== text) {
    console.error('schemas/policy.schema.json is stale: run `npm run schemas` and commit the result.');
    process.exit(1);
  }
  console.log('schemas: up to date');
} else {
  mkdirSync(`${root}schemas`, { recursive: true });
  writeFileSync(target, text);
  console.log(`schemas: wrote ${target.slice(root.length)}`);
}
