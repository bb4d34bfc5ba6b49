#!/usr/bin/env node
// Generates the JSON Schemas in schemas/ from the TypeScript types they describe, or with --check
// fails when a committed schema differs from what its types generate (CI keeps the two in step):
//   schemas/policy.schema.json  from PolicyDocument in src/policy/types.ts
//   schemas/state.schema.json   from State in src/model/state.ts
// The generator is pointed at each source file alone, not at tsconfig.json: compiling the whole
// program would let a type error in any test abort the generation.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import TJS from 'typescript-json-schema';

const root = fileURLToPath(new URL('..', import.meta.url));

const fail = (message) => {
  console.error(`schemas: ${message}`);
  process.exit(1);
};

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

const renameRefs = (node, from, to) => {
  if (Array.isArray(node)) return node.forEach((n) => renameRefs(n, from, to));
  if (!node || typeof node !== 'object') return;
  if (node.$ref === from) node.$ref = to;
  Object.values(node).forEach((n) => renameRefs(n, from, to));
};

// A map keyed by PlatformId comes out with the IdPs only: typescript-json-schema drops the
// template literal member (`salesforce:${org}`) of the key union, and with it every Salesforce
// org. It is put back as a pattern, under a readable name. The shape is asserted first, so that a
// generator that one day gets this right (or differently wrong) stops the build instead of
// producing a schema that refuses real state files.
const PLATFORM_MAP = 'Partial<Record<PlatformId,string>>';
const restoreSalesforcePlatforms = (schema) => {
  const map = schema.definitions?.[PLATFORM_MAP];
  const idps = Object.keys(map?.properties ?? {}).sort();
  if (
    !map ||
    map.additionalProperties !== false ||
    map.patternProperties ||
    idps.join() !== 'okta,onelogin' ||
    idps.some((k) => map.properties[k].type !== 'string')
  )
    fail(`${PLATFORM_MAP} no longer generates as expected; revisit restoreSalesforcePlatforms`);
  map.description = 'A string per platform: okta, onelogin, salesforce:<org>.';
  map.patternProperties = { '^salesforce:.+$': { type: 'string' } };
  delete schema.definitions[PLATFORM_MAP];
  schema.definitions.PlatformMap = map;
  renameRefs(schema, `#/definitions/${encodeURIComponent(PLATFORM_MAP)}`, '#/definitions/PlatformMap');
};

const targets = [
  {
    source: 'src/policy/types.ts',
    type: 'PolicyDocument',
    target: 'schemas/policy.schema.json',
    title: 'accord policy document',
  },
  {
    source: 'src/model/state.ts',
    type: 'State',
    target: 'schemas/state.schema.json',
    title: 'accord state file',
    fix: restoreSalesforcePlatforms,
  },
];

function generate({ source, type, target, title, fix }) {
  const program = TJS.getProgramFromFiles(
    [`${root}${source}`],
    // skipLibCheck: the schemas come from our own types; a devDependency's declaration files (jsdom's
    // parse5) need a module resolution this program does not use, and must not fail it.
    { strict: true, strictNullChecks: true, skipLibCheck: true },
    root,
  );
  const schema = TJS.generateSchema(program, type, {
    required: true,
    noExtraProps: true,
    strictNullChecks: true,
    ref: true,
    aliasRef: false,
    topRef: false,
    titles: false,
    defaultProps: false,
    validationKeywords: ['example', 'minProperties', 'maxProperties', 'propertyNames'],
  });
  if (!schema) fail(`typescript-json-schema produced nothing for ${type}`);
  renameExamples(schema);
  tidyRefs(schema);
  fix?.(schema);
  schema.$id = `https://accord.dev/${target}`;
  schema.title = title;
  return `${JSON.stringify(schema, null, 2)}\n`;
}

const check = process.argv.includes('--check');
let stale = false;
for (const spec of targets) {
  const text = generate(spec);
  const path = `${root}${spec.target}`;
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(path, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (committed !== text) {
      console.error(`${spec.target} is stale: run \`npm run schemas\` and commit the result.`);
      stale = true;
    }
  } else {
    mkdirSync(`${root}schemas`, { recursive: true });
    writeFileSync(path, text);
    console.log(`schemas: wrote ${spec.target}`);
  }
}
if (stale) process.exit(1);
if (check) console.log('schemas: up to date');
