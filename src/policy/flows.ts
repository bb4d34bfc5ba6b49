import { child, diagnosticAt, whereIs, type Collected, type Located } from './collect.js';
import type { Diagnostic } from './diagnostics.js';
import type { Condition, IdpId, ManagedGroup } from './types.js';
import { templateFields } from './template-syntax.js';
import { eachConditionNode } from './each-condition.js';

/**
 * The flow graph of a policy: which values feed which (loop-freedom rules 1 and 2 in DESIGN.md).
 * Nodes are values in platforms (`okta.group["Sales"]`, `onelogin.attribute["title"]`); an edge
 * says a rule derives its target from its source. A value may have one owner, and no value may
 * feed itself.
 */

export const oktaGroupNode = (name: string) => `okta.group[${JSON.stringify(name)}]`;
export const oneloginRoleNode = (name: string) => `onelogin.role[${JSON.stringify(name)}]`;
const attributeNode = (platform: string, name: string) => `${platform}.attribute[${JSON.stringify(name)}]`;
/** A Salesforce user's field as attribute flows write it and `salesforceField` reads it (UC-16). */
export const salesforceFieldNode = (org: string, field: string) =>
  `salesforce.${org}.user.field[${JSON.stringify(field)}]`;
/**
 * What a `salesforceField` condition reads: the profile and role are what access rules write, by
 * whichever name the condition uses; any other field is the field.
 */
function salesforceReadNode(org: string, field: string): string {
  const lower = field.toLowerCase();
  if (lower === 'profileid' || lower === 'profile.name') return `salesforce.${org}.user.profile`;
  if (lower === 'userroleid' || lower === 'userrole.name') return `salesforce.${org}.user.role`;
  return salesforceFieldNode(org, field);
}

/** Values a condition reads, as flow-graph nodes. */
export function conditionSources(condition: Condition, source: IdpId): string[] {
  const out: string[] = [];
  eachConditionNode(condition, (c) => {
    if (c.oktaGroup !== undefined) out.push(oktaGroupNode(c.oktaGroup));
    if (c.oneloginRole !== undefined) out.push(oneloginRoleNode(c.oneloginRole));
    if (c.app !== undefined) out.push(`${source}.app[${JSON.stringify(c.app)}]`);
    if (c.attribute !== undefined) out.push(attributeNode(source, c.attribute.name));
    if (c.salesforceField !== undefined)
      out.push(salesforceReadNode(c.salesforceField.org, c.salesforceField.name));
    if (c.salesforceCase !== undefined)
      out.push(`salesforce.${c.salesforceCase.org}.case[${JSON.stringify(c.salesforceCase.type)}]`);
  });
  return out;
}

interface Edge {
  from: string;
  to: string;
  /** The declaration that creates the edge (and owns `to`). */
  by: Located<unknown>;
}

export interface FlowGraph {
  edges: Edge[];
  /** Owners of each written node, in declaration order. */
  owners: Map<string, Located<unknown>[]>;
}

export function buildFlowGraph(c: Collected, orgKeys: readonly string[]): FlowGraph {
  const source: IdpId = c.identities[0]?.value.source ?? 'okta';
  const edges: Edge[] = [];
  const owners = new Map<string, Located<unknown>[]>();
  const own = (node: string, by: Located<unknown>) => owners.set(node, [...(owners.get(node) ?? []), by]);

  for (const group of c.groups) {
    const node =
      group.value.platform === 'okta' ? oktaGroupNode(group.value.name) : oneloginRoleNode(group.value.name);
    // A group declared twice is reported as a duplicate; only its first declaration owns it.
    if (owners.get(node)?.some((o) => c.groups.includes(o as Located<ManagedGroup>))) continue;
    own(node, group);
    if (group.value.rule) {
      const rule = child(group, 'rule', group.value.rule);
      for (const from of conditionSources(group.value.rule, source)) edges.push({ from, to: node, by: rule });
    }
  }
  for (const mirror of c.mirrors) {
    mirror.value.pairs.forEach((pair, i) => {
      const at = child(child(mirror, 'pairs', mirror.value.pairs), i, pair);
      const [from, to] =
        mirror.value.direction === 'okta-to-onelogin'
          ? [oktaGroupNode(pair.okta), oneloginRoleNode(pair.onelogin)]
          : [oneloginRoleNode(pair.onelogin), oktaGroupNode(pair.okta)];
      own(to, at);
      edges.push({ from, to, by: at });
    });
  }
  // Access rules write Salesforce access from IdP facts: edges only (several rules may grant the
  // same permission set), so that a condition reading back what a rule grants closes a cycle (UC-16).
  for (const rule of c.access) {
    const sources = conditionSources(rule.value.when, source);
    if (sources.length === 0) continue;
    const at = child(rule, 'when', rule.value.when);
    for (const [key, grant] of Object.entries(rule.value.grants)) {
      const orgs = key === '*' ? orgKeys : [key];
      for (const org of orgs) {
        const user = `salesforce.${org}.user`;
        const targets = [
          ...(grant.profile !== undefined ? [`${user}.profile`] : []),
          ...(grant.role !== undefined ? [`${user}.role`] : []),
          ...(grant.permissionSets ?? []).map((n) => `${user}.permissionSet[${JSON.stringify(n)}]`),
          ...(grant.permissionSetGroups ?? []).map((n) => `${user}.permissionSetGroup[${JSON.stringify(n)}]`),
        ];
        for (const to of targets) for (const from of sources) edges.push({ from, to, by: at });
      }
    }
  }
  for (const flow of c.attributeFlows) {
    const targets = flow.value.to === 'salesforce' ? orgKeys.map((k) => `salesforce.${k}`) : [flow.value.to];
    for (const [field, template] of Object.entries(flow.value.fields)) {
      const at = child(child(flow, 'fields', flow.value.fields), field, template);
      for (const target of targets) {
        const to = target.startsWith('salesforce.')
          ? salesforceFieldNode(target.slice('salesforce.'.length), field)
          : attributeNode(target, field);
        own(to, at);
        for (const name of templateFields(template))
          edges.push({ from: attributeNode(flow.value.from, name), to, by: at });
      }
    }
  }
  return { edges, owners };
}

/** Every elementary cycle reachable in the graph, each reported once (Johnson-lite via DFS). */
export function findCycles(edges: readonly Edge[]): Edge[][] {
  const out = new Map<string, Edge[]>();
  const adjacency = new Map<string, Edge[]>();
  for (const e of edges) adjacency.set(e.from, [...(adjacency.get(e.from) ?? []), e]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  // A DFS from each node that only visits nodes ordered after it finds each cycle exactly once,
  // rooted at its smallest node. Policies have tens of flows, so this stays cheap.
  for (const start of nodes) {
    const path: Edge[] = [];
    const onPath = new Set<string>([start]);
    const visit = (node: string) => {
      for (const e of adjacency.get(node) ?? []) {
        if (e.to === start) {
          const cycle = [...path, e];
          out.set(cycle.map((x) => x.from).join('|'), cycle);
        } else if (e.to > start && !onPath.has(e.to)) {
          onPath.add(e.to);
          path.push(e);
          visit(e.to);
          path.pop();
          onPath.delete(e.to);
        }
      }
    };
    visit(start);
  }
  return [...out.values()];
}

export function checkFlows(c: Collected, orgKeys: readonly string[]): Diagnostic[] {
  const graph = buildFlowGraph(c, orgKeys);
  const diagnostics: Diagnostic[] = [];
  for (const [node, declared] of graph.owners) {
    if (declared.length < 2) continue;
    const [first, ...rest] = declared;
    for (const again of rest) {
      diagnostics.push(
        diagnosticAt(
          again,
          'error',
          'flow.two-owners',
          `${node} would have two owners: this declaration and ${whereIs(first!)}`,
          'every value may be written by one rule only: remove one of them, or mirror into a different group',
        ),
      );
    }
  }
  const cycles = findCycles(graph.edges);
  // UC-16: a Salesforce value accord writes, read back as a source, would move what it derives one
  // run after it was written (a second plan that is not empty); inside a cycle the cycle says so.
  const inCycle = new Set(cycles.flatMap((cycle) => cycle.map((e) => e.from)));
  const writers = new Map<string, Edge>();
  for (const e of graph.edges) if (e.to.startsWith('salesforce.') && !writers.has(e.to)) writers.set(e.to, e);
  for (const e of graph.edges) {
    const writer = writers.get(e.from);
    if (!writer || inCycle.has(e.from)) continue;
    diagnostics.push(
      diagnosticAt(
        e.by,
        'error',
        'flow.read-back',
        `${e.from} is written by accord (${whereIs(writer.by)}) and read back here as the source of ${e.to}`,
        'a value accord writes to Salesforce may not be a source: read a field no attribute flow or access rule writes',
      ),
    );
  }
  for (const cycle of cycles) {
    const text = [...cycle.map((e) => e.from), cycle[0]!.from].join(' -> ');
    const closing = cycle[cycle.length - 1]!;
    diagnostics.push(
      diagnosticAt(
        closing.by,
        'error',
        'flow.cycle',
        `flow cycle: ${text}`,
        cycle.some((e) => e.from.startsWith('salesforce.'))
          ? 'a value accord writes to Salesforce may not be read back as its own source (UC-16): remove the condition on it, or the rule that writes it'
          : 'a value may not feed itself through mirrors, group rules or attribute flows: remove or reverse one of these flows',
      ),
    );
  }
  return diagnostics;
}
