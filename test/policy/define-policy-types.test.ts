import { describe, expect, it } from '@jest/globals';
import { definePolicy } from '../../src/policy/define-policy.js';

/**
 * definePolicy's type checks run in `npm run typecheck` (tsconfig includes test/): each
 * `@ts-expect-error` below fails the typecheck if TypeScript stops reporting that mistake.
 */
describe('definePolicy types', () => {
  it('reports a misspelt key beside a valid one', () => {
    const doc = definePolicy({
      groups: [{ platform: 'okta', name: 'Support' }],
      // @ts-expect-error -- "acess" is not a policy key; the check must see it next to "groups"
      acess: [],
    });
    expect(doc).toMatchObject({ groups: [{ name: 'Support' }] });
  });

  it('reports a misspelt key deep inside a rule', () => {
    const docs = definePolicy([
      {
        access: [
          {
            id: 'support',
            when: { oktaGroup: 'Support' },
            // @ts-expect-error -- "permissionSet" is not a grant key ("permissionSets" is)
            grants: { prod: { profile: 'Support User', permissionSet: ['Knowledge_User'] } },
          },
        ],
      },
    ]);
    expect(docs).toHaveLength(1);
  });
});
