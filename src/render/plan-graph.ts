import type { Change } from '../model/change.js';
import type { Plan } from '../plan/types.js';
import type { ChangeMark } from '../model/actions.js';
import { markOf } from './plan-text.js';

export type GraphFormat = 'dot' | 'mermaid';

interface Edge {
  from: number;
  to: number;
}

/**
 * Node ids are positions in the plan (`n0`, `n1`, ...), not change ids: positions are valid
 * identifiers in both syntaxes and follow the plan's deterministic order.
 */
const nodeId = (index: number): string => `n${index}`;

const label = (change: Change): string => `${change.action} ${change.address}`;

/**
 * Edges run from a dependency to its dependent, in plan order of the dependent, then of the
 * dependency. A dependency outside the plan (narrowed with `--target`) has no node to draw.
 */
function edges(changes: readonly Change[]): Edge[] {
  const index = new Map(changes.map((c, i) => [c.id, i]));
  return changes.flatMap((c, to) =>
    c.dependsOn
      .map((dep) => index.get(dep))
      .filter((from): from is number => from !== undefined)
      .sort((a, b) => a - b)
      .map((from) => ({ from, to })),
  );
}

const CLASS: Record<ChangeMark, string> = { '+': 'add', '~': 'change', '-': 'remove' };
const COLOUR: Record<ChangeMark, string> = { '+': '#1a7f37', '~': '#9a6700', '-': '#cf222e' };

/** DOT quoted strings: backslash and quote are escaped; a newline would end the label. */
const dotString = (text: string): string =>
  `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;

function renderDot(changes: readonly Change[]): string {
  const nodes = changes.map(
    (c, i) => `  ${nodeId(i)} [label=${dotString(label(c))}, color="${COLOUR[markOf(c.action)]}"];`,
  );
  const links = edges(changes).map((e) => `  ${nodeId(e.from)} -> ${nodeId(e.to)};`);
  return [
    'digraph plan {',
    '  rankdir=LR;',
    '  node [shape=box, fontname="Helvetica"];',
    ...nodes,
    ...links,
    '}',
    '',
  ].join('\n');
}

/**
 * Mermaid labels are HTML-ish: quotes, angle brackets and ampersands become entity codes, and `#`
 * itself too, since `#...;` is how Mermaid spells an entity. Brackets are safe inside quotes.
 */
const MERMAID_ENTITIES: Record<string, string> = {
  '#': '#35;',
  '"': '#quot;',
  '<': '#lt;',
  '>': '#gt;',
  '&': '#amp;',
  '`': '#96;',
};

const mermaidString = (text: string): string =>
  `"${text.replace(/[#"<>&`]/g, (ch) => MERMAID_ENTITIES[ch] ?? ch).replace(/\r?\n/g, ' ')}"`;

function mermaidClasses(changes: readonly Change[]): string[] {
  return (['+', '~', '-'] as const).flatMap((mark) => {
    const ids = changes.flatMap((c, i) => (markOf(c.action) === mark ? [nodeId(i)] : []));
    if (ids.length === 0) return [];
    return [`  classDef ${CLASS[mark]} stroke:${COLOUR[mark]}`, `  class ${ids.join(',')} ${CLASS[mark]}`];
  });
}

function renderMermaid(changes: readonly Change[]): string {
  const nodes = changes.map((c, i) => `  ${nodeId(i)}[${mermaidString(label(c))}]`);
  const links = edges(changes).map((e) => `  ${nodeId(e.from)} --> ${nodeId(e.to)}`);
  return ['flowchart LR', ...nodes, ...links, ...mermaidClasses(changes), ''].join('\n');
}

/** The change DAG for `accord graph`: one node per change (`action address`), dependency → dependent. */
export function renderGraph(plan: Plan, format: GraphFormat): string {
  return format === 'dot' ? renderDot(plan.changes) : renderMermaid(plan.changes);
}
