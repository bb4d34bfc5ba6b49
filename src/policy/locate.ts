import { findNodeAtLocation, type Node as JsonNode } from 'jsonc-parser';
import { fromPointer } from './pointer.js';

export interface Position {
  line: number;
  column: number;
}

/** Finds where a JSON pointer lives in a document's source text. */
export interface Locator {
  /** Position of the value at `pointer`, or of its nearest existing ancestor. */
  value(pointer: string): Position;
  /** Position of the key that names the value at `pointer` (falls back to the value). */
  key(pointer: string): Position;
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const segmentsFor = (pointer: string, tree: JsonNode): (string | number)[] => {
  // jsonc-parser wants numbers for array indices; pointers carry them as strings.
  const out: (string | number)[] = [];
  let node: JsonNode | undefined = tree;
  for (const seg of fromPointer(pointer)) {
    const useIndex = node?.type === 'array' && /^\d+$/.test(seg);
    out.push(useIndex ? Number(seg) : seg);
    node = node ? findNodeAtLocation(node, [out[out.length - 1]!]) : undefined;
  }
  return out;
};

/** Locator over a parsed JSON tree. */
export function jsonLocator(text: string, tree: JsonNode | undefined): Locator {
  const nodeFor = (pointer: string): JsonNode | undefined => {
    if (!tree) return undefined;
    const path = segmentsFor(pointer, tree);
    // Walk up until something exists: a missing key is reported at the object that lacks it.
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, path.slice(0, n));
      if (node) return node;
    }
    return tree;
  };
  return {
    value: (pointer) => {
      const node = nodeFor(pointer);
      return node ? positionAt(text, node.offset) : { line: 1, column: 1 };
    },
    key: (pointer) => {
      const node = nodeFor(pointer);
      const keyNode = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      const target = keyNode ?? node;
      return target ? positionAt(text, target.offset) : { line: 1, column: 1 };
    },
  };
}

/**
 * Best-effort locator for TypeScript policies, which have no JSON tree: finds the last key of the
 * pointer (or the quoted value) in the source. Good enough to put an editor on the right line.
 */
export function textLocator(text: string): Locator {
  // Walk the pointer's keys in order, each searched after the previous one: `/access/1/when`
  // finds the first `when:` after the first `access:`. Array indices are skipped.
  const find = (pointer: string): Position => {
    const keys = fromPointer(pointer).filter((s) => !/^\d+$/.test(s));
    let at = -1;
    for (const key of keys) {
      const pattern = new RegExp(`(["']?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1\\s*:`, 'g');
      pattern.lastIndex = Math.max(at, 0);
      const match = pattern.exec(text);
      if (!match) break;
      at = match.index;
    }
    return at < 0 ? { line: 1, column: 1 } : positionAt(text, at);
  };
  return { value: find, key: find };
}
