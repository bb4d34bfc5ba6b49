import type { Policy } from './policy.js';
import type { Condition } from './types.js';

/** Every node of a condition, itself first, then its `all`, `any` and `not` parts, depth first. */
export function eachConditionNode(c: Condition | undefined, visit: (node: Condition) => void): void {
  if (!c) return;
  visit(c);
  c.all?.forEach((x) => eachConditionNode(x, visit));
  c.any?.forEach((x) => eachConditionNode(x, visit));
  eachConditionNode(c.not, visit);
}

/**
 * Every condition node anywhere a policy has conditions: access rules, the identity scope,
 * populations, managed groups' rules and contact declarations. What the snapshot reads and what
 * compile reports (MFA tests, Salesforce terms) are found by walking these, in this one order.
 */
export function eachPolicyCondition(policy: Policy, visit: (node: Condition) => void): void {
  const walk = (c: Condition | undefined) => eachConditionNode(c, visit);
  for (const rule of policy.access) walk(rule.when);
  const { scope, populations } = policy.identity;
  scope?.include?.forEach(walk);
  scope?.exclude?.forEach(walk);
  for (const population of populations ?? []) walk(population.when);
  for (const group of policy.groups) walk(group.rule);
  for (const sync of policy.contacts ?? []) walk(sync.when);
}
