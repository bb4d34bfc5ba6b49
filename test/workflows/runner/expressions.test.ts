/**
 * The test runner's expression evaluator against the Actions semantics the workflows rely on:
 * loose equality with number coercion, case-insensitive strings, null for missing properties,
 * the implicit success() of an `if:`, and loud failures for anything it does not implement.
 */
import { describe, expect, it } from '@jest/globals';
import { condition, evaluate, interpolate, type Scope, type Value } from './expressions.js';

const scope = (contexts: Record<string, Value>, status: Scope['status'] = 'success'): Scope => ({
  context: (name) => {
    if (name in contexts) return contexts[name]!;
    throw new Error(`no ${name}`);
  },
  status,
  hashFiles: (patterns) => (patterns.includes('there') ? 'abc' : ''),
});
const s = scope({
  steps: { plan: { outputs: { 'exit-code': '4' }, outcome: 'success' }, find: { outputs: {} } },
  github: { ref: 'refs/heads/main', event: { pull_request: { number: 7 } } },
  inputs: { 'allow-large-change': false, reason: '' },
  env: { ACCORD_ENVIRONMENT: 'demo' },
});

describe('expressions', () => {
  it('compares like Actions: numbers across types, strings without case, null as 0 and empty', () => {
    expect(evaluate("steps.plan.outputs.exit-code == '4'", s)).toBe(true);
    expect(evaluate('steps.plan.outputs.exit-code == 4', s)).toBe(true);
    expect(evaluate("github.ref == 'REFS/HEADS/MAIN'", s)).toBe(true);
    expect(evaluate("steps.find.outputs.pr != ''", s)).toBe(false);
    expect(evaluate("steps.find.outputs.found == 'true'", s)).toBe(false);
    expect(evaluate('steps.find.outputs.x.y.z', s)).toBeNull();
    expect(evaluate("steps.find.outputs.code || '1'", s)).toBe('1');
    expect(evaluate("!contains(github.ref, 'heads') && true", s)).toBe(false);
    expect(evaluate("format('{0}-pr{1}', env.ACCORD_ENVIRONMENT, github.event.pull_request.number)", s)).toBe(
      'demo-pr7',
    );
    expect(evaluate("hashFiles('there') != ''", s)).toBe(true);
  });

  it('gives an if: without a status function an implicit success()', () => {
    const failed = scope({ steps: { plan: { outcome: 'failure' } } }, 'failure');
    expect(condition("steps.plan.outcome == 'failure'", failed)).toBe(false);
    expect(condition("always() && steps.plan.outcome == 'failure'", failed)).toBe(true);
    expect(condition('${{ failure() }}', failed)).toBe(true);
    expect(condition(undefined, failed)).toBe(false);
  });

  it('interpolates into text: null as empty, booleans as words', () => {
    expect(interpolate('a-${{ inputs.allow-large-change }}-${{ inputs.reason }}-${{ 1 == 1 }}', s)).toBe(
      'a-false--true',
    );
  });

  it('fails loudly on what it does not implement', () => {
    expect(() => evaluate('fromJson2(1)', s)).toThrow(/unsupported function/);
    expect(() => evaluate('steps.*.outcome', s)).toThrow(/not supported/);
    expect(() => evaluate('vars.X', s)).toThrow(/no vars/);
    expect(() => evaluate('github.ref ==', s)).toThrow(/unexpected/);
    expect(() => interpolate('${{ steps.plan }}', s)).toThrow(/cannot be used as text/);
  });
});
