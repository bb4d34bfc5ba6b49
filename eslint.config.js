import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Issue 17: a spread in call arguments puts every element on the stack, so `push(...changes)`,
// `Math.max(...sizes)` and the like throw `RangeError: Maximum call stack size exceeded` once the
// array holds a few hundred thousand items (the 100k first run plans about 282,000 changes).
// `fn.apply(thisArg, array)` and `Reflect.apply` have the same limit. Use a loop, `concat` or
// `reduce` instead. Array literals (`[...a, ...b]`) and object spreads do not use the stack and stay
// allowed. A call that only forwards its own rest arguments may disable the rule on its line, with
// the reason.
const noCallSpread = [
  {
    selector: 'CallExpression > SpreadElement, NewExpression > SpreadElement',
    message:
      'No spread in call arguments: every element goes on the stack and a large array (e.g. 282k plan changes) throws "Maximum call stack size exceeded". Use a loop, concat or reduce.',
  },
  {
    selector:
      "CallExpression[callee.property.name='apply'][arguments.length=2][arguments.0.type=/^(Literal|ThisExpression)$/], CallExpression[callee.property.name='apply'][arguments.length=2][arguments.0.type='Identifier'][arguments.0.name='undefined'], CallExpression[callee.object.name='Reflect'][callee.property.name='apply']",
    message:
      'fn.apply(thisArg, array) puts every element on the stack like a call spread does; use a loop, concat or reduce.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'schemas', 'test/fixtures/invalid'] },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'packages/sandbox/src/**/*.ts', 'bench/**/*.ts', 'bin/**/*.js', 'scripts/**/*.js'],
    rules: { 'no-restricted-syntax': ['error', ...noCallSpread] },
  },
  {
    // The pure middle reads function by function: each fits on a screen.
    files: ['src/compile/**/*.ts', 'src/plan/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
);
