import type { Change } from '../../src/model/change.js';

export type ChangeSpec = Pick<Change, 'kind' | 'action' | 'account'> & Partial<Change>;

/**
 * A change builder for provider tests: each change gets a fresh id and address (`<idPrefix><n>`,
 * `address(spec, n)`), nothing before or after and no patch or dependencies unless the spec says.
 */
export function changeBuilder(
  platform: Change['platform'],
  idPrefix: string,
  address: (spec: ChangeSpec, seq: number) => string,
): (spec: ChangeSpec) => Change {
  let seq = 0;
  return (spec) => {
    seq++;
    return {
      id: `${idPrefix}${seq}`,
      address: address(spec, seq),
      platform,
      before: null,
      after: null,
      dependsOn: [],
      reason: { source: 'test' },
      ...spec,
    };
  };
}
