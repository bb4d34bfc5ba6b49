import type { Condition, FieldRef, Literal, Query } from './ast.js';
import { positionalError, type SoqlError } from './errors.js';
import type { FieldDef, SObjectSchema, SoqlDatabase, SoqlOptions, SoqlResult } from './schema.js';
import { idKey, isSalesforceId, to18 } from './ids.js';

type Row = Record<string, unknown>;
type Predicate = (row: Row) => boolean;
/** Values normalised so that ===, < and > mean what SOQL means for the field's type. */
type Comparable = string | number | boolean | null;

const DEFAULT_API_VERSION = '63.0';
const DAY_MS = 86_400_000;

interface Hop {
  /** Canonical name of the reference field holding the parent id, e.g. 'ProfileId'. */
  idField: string;
  /** Canonical relationship name used as the key in output records, e.g. 'Profile'. */
  relationshipName: string;
  target: string;
}

interface ResolvedField {
  hops: Hop[];
  field: string;
  def: FieldDef;
  ref: FieldRef;
  get: (row: Row) => unknown;
}

interface ProjectionNode {
  objectName: string;
  entries: ProjectionEntry[];
}

type ProjectionEntry = { kind: 'field'; name: string } | { kind: 'parent'; hop: Hop; node: ProjectionNode };

const fieldIndexCache = new WeakMap<SObjectSchema, Map<string, string>>();
const relationshipIndexCache = new WeakMap<SObjectSchema, Map<string, string>>();

function fieldIndex(schema: SObjectSchema): Map<string, string> {
  let index = fieldIndexCache.get(schema);
  if (!index) {
    index = new Map(Object.keys(schema.fields).map((name) => [name.toLowerCase(), name]));
    fieldIndexCache.set(schema, index);
  }
  return index;
}

function relationshipIndex(schema: SObjectSchema): Map<string, string> {
  let index = relationshipIndexCache.get(schema);
  if (!index) {
    index = new Map();
    for (const [name, def] of Object.entries(schema.fields)) {
      if (def.relationshipName && def.referenceTo) index.set(def.relationshipName.toLowerCase(), name);
    }
    relationshipIndexCache.set(schema, index);
  }
  return index;
}

class Compiler {
  private readonly text: string;
  private readonly root: SObjectSchema;

  constructor(
    private readonly db: SoqlDatabase,
    private readonly query: Query,
    private readonly options: SoqlOptions,
  ) {
    this.text = query.text;
    const root = this.resolveObject(query.from.name);
    if (!root) {
      throw positionalError(
        'INVALID_TYPE',
        this.text,
        query.from.pos,
        `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    this.root = root;
  }

  get objectName(): string {
    return this.root.name;
  }

  private resolveObject(name: string): SObjectSchema | undefined {
    const lower = name.toLowerCase();
    const canonical = this.db.objectNames().find((candidate) => candidate.toLowerCase() === lower);
    return canonical === undefined ? undefined : this.db.schema(canonical);
  }

  resolveField(ref: FieldRef): ResolvedField {
    let schema = this.root;
    const hops: Hop[] = [];
    for (const segment of ref.path.slice(0, -1)) {
      const idField = relationshipIndex(schema).get(segment.toLowerCase());
      const def = idField === undefined ? undefined : schema.fields[idField];
      const target = def?.referenceTo === undefined ? undefined : this.resolveObject(def.referenceTo);
      if (!idField || !def?.relationshipName || !target) {
        throw positionalError(
          'INVALID_FIELD',
          this.text,
          ref.pos,
          `Didn't understand relationship '${segment}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      hops.push({ idField, relationshipName: def.relationshipName, target: target.name });
      schema = target;
    }
    const written = ref.path[ref.path.length - 1]!;
    const field = fieldIndex(schema).get(written.toLowerCase());
    const def = field === undefined ? undefined : schema.fields[field];
    if (field === undefined || !def) {
      throw positionalError(
        'INVALID_FIELD',
        this.text,
        ref.pos,
        `No such column '${written}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return { hops, field, def, ref, get: this.getter(hops, field) };
  }

  private getter(hops: Hop[], field: string): (row: Row) => unknown {
    if (hops.length === 0) return (row) => row[field] ?? null;
    const db = this.db;
    const [only] = hops;
    if (only && hops.length === 1) {
      // The common case (Assignee.IsActive, PermissionSet.Name) without the loop.
      const { idField, target } = only;
      return (row) => {
        const id = row[idField];
        if (typeof id !== 'string' || id === '') return null;
        return db.byId(target, id)?.[field] ?? null;
      };
    }
    return (row) => {
      let current: Row | undefined = row;
      for (const hop of hops) {
        const id: unknown = current[hop.idField];
        if (typeof id !== 'string' || id === '') return null;
        current = db.byId(hop.target, id);
        if (!current) return null;
      }
      return current[field] ?? null;
    };
  }

  projection(): ProjectionNode {
    const root: ProjectionNode = { objectName: this.root.name, entries: [] };
    for (const item of this.query.select) {
      if (item.kind !== 'field') continue;
      const resolved = this.resolveField(item);
      let node = root;
      for (const hop of resolved.hops) {
        let entry = node.entries.find(
          (e): e is Extract<ProjectionEntry, { kind: 'parent' }> =>
            e.kind === 'parent' && e.hop.idField === hop.idField,
        );
        if (!entry) {
          entry = { kind: 'parent', hop, node: { objectName: hop.target, entries: [] } };
          node.entries.push(entry);
        }
        node = entry.node;
      }
      if (node.entries.some((e) => e.kind === 'field' && e.name === resolved.field)) {
        throw positionalError(
          'MALFORMED_QUERY',
          this.text,
          item.pos,
          `duplicate field selected: ${[...resolved.hops.map((h) => h.relationshipName), resolved.field].join('.')}`,
        );
      }
      node.entries.push({ kind: 'field', name: resolved.field });
    }
    return root;
  }

  predicate(condition: Condition): Predicate {
    switch (condition.kind) {
      case 'and': {
        const parts = condition.operands.map((c) => this.predicate(c));
        return (row) => {
          for (const part of parts) if (!part(row)) return false;
          return true;
        };
      }
      case 'or': {
        const parts = condition.operands.map((c) => this.predicate(c));
        return (row) => {
          for (const part of parts) if (part(row)) return true;
          return false;
        };
      }
      case 'not': {
        const inner = this.predicate(condition.operand);
        return (row) => !inner(row);
      }
      case 'compare':
        return this.comparison(condition);
      case 'in':
        return this.membership(condition);
      case 'semiJoin':
        return this.semiJoin(condition);
    }
  }

  private comparison(condition: Extract<Condition, { kind: 'compare' }>): Predicate {
    const field = this.resolveField(condition.field);
    const normalize = normalizer(field.def);
    const { get } = field;
    const { op, value } = condition;
    const type = field.def.type;

    if (op === 'LIKE') {
      if (type !== 'string' && type !== 'picklist') {
        throw positionalError(
          'INVALID_FIELD',
          this.text,
          condition.opPos,
          `invalid operator on ${typeLabel(field.def)} field '${field.field}': LIKE applies to text fields only`,
        );
      }
      if (value.kind !== 'string') throw this.typeMismatch(field);
      const regex = likeToRegExp(value.value);
      return (row) => {
        const v = get(row);
        return typeof v === 'string' && regex.test(v);
      };
    }

    if (type === 'boolean' && op !== '=' && op !== '!=') {
      throw positionalError(
        'INVALID_FIELD',
        this.text,
        condition.opPos,
        `invalid operator on boolean field '${field.field}'`,
      );
    }

    const range = this.dateRange(field, value);
    if (range) {
      const [lo, hi] = range;
      const inRange = (v: Comparable): boolean => v !== null && v >= lo && v < hi;
      const test: Record<typeof op, (v: Comparable) => boolean> = {
        '=': inRange,
        '!=': (v) => !inRange(v),
        '<': (v) => v !== null && v < lo,
        '<=': (v) => v !== null && v < hi,
        '>': (v) => v !== null && v >= hi,
        '>=': (v) => v !== null && v >= lo,
      };
      const check = test[op];
      return (row) => check(normalize(get(row)));
    }

    const target = this.literalValue(field, value);
    switch (op) {
      case '=':
        return (row) => normalize(get(row)) === target;
      case '!=':
        return (row) => normalize(get(row)) !== target;
    }
    // SOQL has no three-valued logic, but an ordering against null (either side) never matches.
    if (target === null) return () => false;
    switch (op) {
      case '<':
        return (row) => {
          const v = normalize(get(row));
          return v !== null && v < target;
        };
      case '<=':
        return (row) => {
          const v = normalize(get(row));
          return v !== null && v <= target;
        };
      case '>':
        return (row) => {
          const v = normalize(get(row));
          return v !== null && v > target;
        };
      case '>=':
        return (row) => {
          const v = normalize(get(row));
          return v !== null && v >= target;
        };
    }
  }

  private membership(condition: Extract<Condition, { kind: 'in' }>): Predicate {
    const field = this.resolveField(condition.field);
    if (field.def.type === 'boolean') {
      throw positionalError(
        'INVALID_FIELD',
        this.text,
        condition.field.pos,
        `invalid operator on boolean field '${field.field}'`,
      );
    }
    const normalize = normalizer(field.def);
    const values = new Set(condition.values.map((v) => this.literalValue(field, v)));
    const { get } = field;
    return condition.negated
      ? (row) => !values.has(normalize(get(row)))
      : (row) => values.has(normalize(get(row)));
  }

  private semiJoin(condition: Extract<Condition, { kind: 'semiJoin' }>): Predicate {
    const field = this.resolveField(condition.field);
    if (field.def.type !== 'id' && field.def.type !== 'reference') {
      throw positionalError(
        'INVALID_FIELD',
        this.text,
        condition.field.pos,
        `The left operand field in a semi join must be an Id or reference field, not '${field.field}'`,
      );
    }
    const sub = new Compiler(this.db, condition.query, this.options);
    const [selected, ...rest] = condition.query.select;
    if (!selected || selected.kind !== 'field' || rest.length > 0) {
      throw positionalError(
        'MALFORMED_QUERY',
        this.text,
        condition.query.from.pos,
        'A semi join sub-select must select exactly one Id or reference field',
      );
    }
    const subField = sub.resolveField(selected);
    if (subField.def.type !== 'id' && subField.def.type !== 'reference') {
      throw positionalError(
        'INVALID_FIELD',
        this.text,
        selected.pos,
        `The selected field '${subField.field}' in a semi join sub-select must be an Id or reference field`,
      );
    }
    const plan = sub.plan();
    let ids: Set<string> | undefined;
    const { get } = field;
    const contains = (row: Row): boolean => {
      // Deferred so that a sub-select is only run when some outer row actually needs it.
      ids ??= new Set(
        plan.matchingRows().flatMap((r) => {
          const id = subField.get(r);
          return typeof id === 'string' && id !== '' ? [idKey(id)] : [];
        }),
      );
      const v = get(row);
      return typeof v === 'string' && ids.has(idKey(v));
    };
    return condition.negated ? (row) => !contains(row) : contains;
  }

  /** Date keywords are ranges: [lo, hi) in the field's comparable form. */
  private dateRange(field: ResolvedField, value: Literal): [string | number, string | number] | undefined {
    if (value.kind !== 'dateKeyword') return undefined;
    const type = field.def.type;
    if (type !== 'date' && type !== 'datetime') throw this.typeMismatch(field);
    const now = (this.options.now ?? (() => new Date()))();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const days: Record<typeof value.keyword, [number, number]> = {
      TODAY: [0, 1],
      YESTERDAY: [-1, 0],
      TOMORROW: [1, 2],
      LAST_N_DAYS: [-value.n, 1],
      NEXT_N_DAYS: [1, 1 + value.n],
    };
    const [fromDay, toDay] = days[value.keyword];
    const lo = today + fromDay * DAY_MS;
    const hi = today + toDay * DAY_MS;
    if (type === 'datetime') return [lo, hi];
    return [new Date(lo).toISOString().slice(0, 10), new Date(hi).toISOString().slice(0, 10)];
  }

  private literalValue(field: ResolvedField, value: Literal): Comparable {
    if (value.kind === 'null') return null;
    const type = field.def.type;
    switch (type) {
      case 'id':
      case 'reference':
        if (value.kind !== 'string') throw this.typeMismatch(field);
        // Salesforce stores blank text as null, so '' is another way to write null.
        if (value.value === '') return null;
        if (!isSalesforceId(value.value)) {
          throw positionalError('INVALID_FIELD', this.text, value.pos, `invalid ID field: ${value.value}`);
        }
        return idKey(value.value);
      case 'string':
      case 'picklist':
        if (value.kind !== 'string') throw this.typeMismatch(field);
        return value.value === '' ? null : value.value.toLowerCase();
      case 'boolean':
        if (value.kind !== 'boolean') throw this.typeMismatch(field);
        return value.value;
      case 'int':
      case 'double':
        if (value.kind !== 'number') throw this.typeMismatch(field);
        return value.value;
      case 'date':
        if (value.kind !== 'date') throw this.typeMismatch(field);
        return value.value;
      case 'datetime':
        if (value.kind !== 'datetime') throw this.typeMismatch(field);
        return value.epochMs;
    }
  }

  private typeMismatch(field: ResolvedField): SoqlError {
    const quoted =
      field.def.type === 'string' ||
      field.def.type === 'picklist' ||
      field.def.type === 'id' ||
      field.def.type === 'reference';
    return positionalError(
      'INVALID_FIELD',
      this.text,
      field.ref.pos,
      `value of filter criterion for field '${field.field}' must be of type ${typeLabel(field.def)} and ${quoted ? 'should be enclosed in quotes' : 'should not be enclosed in quotes'}`,
    );
  }

  /** Everything that does not depend on the rows, done once per query. */
  plan(): { matchingRows: (stopAfter?: number) => Row[] } {
    const where = this.query.where;
    const predicate = where ? this.predicate(where) : undefined;
    const includeDeleted = this.options.includeDeleted === true;
    const objectName = this.root.name;
    const candidates = where ? this.idCandidates(where) : undefined;
    const db = this.db;
    return {
      matchingRows: (stopAfter = Infinity) => {
        const out: Row[] = [];
        if (stopAfter <= 0) return out;
        const source = candidates?.() ?? db.rows(objectName);
        for (const row of source) {
          if (!includeDeleted && row.IsDeleted === true) continue;
          if (predicate && !predicate(row)) continue;
          out.push(row);
          if (out.length >= stopAfter) break;
        }
        return out;
      },
    };
  }

  /**
   * `Id = '…'` / `Id IN (…)` at the top level (alone or as an AND operand) can be answered with byId instead of a
   * scan. The full predicate still runs on each candidate. If a 15-character id cannot be found by its canonical
   * 18-character form (a store with non-standard suffixes), fall back to scanning rather than miss rows.
   */
  private idCandidates(where: Condition): (() => Row[] | undefined) | undefined {
    const conjuncts = where.kind === 'and' ? where.operands : [where];
    const isIdField = (ref: FieldRef): boolean =>
      ref.path.length === 1 && ref.path[0]!.toLowerCase() === 'id';
    let literals: Literal[] | undefined;
    for (const c of conjuncts) {
      if (c.kind === 'compare' && c.op === '=' && isIdField(c.field)) literals = [c.value];
      else if (c.kind === 'in' && !c.negated && isIdField(c.field)) literals = c.values;
      if (literals) break;
    }
    if (!literals || !literals.every((l) => l.kind === 'string' && isSalesforceId(l.value))) return undefined;
    const ids = literals.map((l) => (l as { value: string }).value);
    const { db } = this;
    const objectName = this.root.name;
    return () => {
      const seen = new Set<Row>();
      for (const id of ids) {
        const row = db.byId(objectName, id) ?? db.byId(objectName, to18(id.slice(0, 15)));
        if (row) seen.add(row);
        else if (id.length === 15) return undefined;
      }
      return [...seen];
    };
  }
}

function typeLabel(def: FieldDef): string {
  switch (def.type) {
    case 'int':
      return 'integer';
    case 'datetime':
      return 'dateTime';
    case 'picklist':
      return 'string';
    default:
      return def.type;
  }
}

function normalizer(def: FieldDef): (value: unknown) => Comparable {
  switch (def.type) {
    case 'id':
    case 'reference':
      return (v) => (typeof v === 'string' && v !== '' ? idKey(v) : null);
    case 'string':
    case 'picklist':
      return (v) => (typeof v === 'string' && v !== '' ? v.toLowerCase() : null);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : null);
    case 'int':
    case 'double':
      return (v) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
        return Number.isNaN(n) ? null : n;
      };
    case 'date':
      return (v) => {
        if (v instanceof Date) return v.toISOString().slice(0, 10);
        return typeof v === 'string' && v.length >= 10 ? v.slice(0, 10) : null;
      };
    case 'datetime':
      return (v) => {
        const ms =
          v instanceof Date
            ? v.getTime()
            : typeof v === 'string'
              ? parseDateTime(v)
              : typeof v === 'number'
                ? v
                : NaN;
        return Number.isNaN(ms) ? null : ms;
      };
  }
}

/** The REST API renders datetimes as 2024-01-01T00:00:00.000+0000, which Date.parse does not accept as is. */
function parseDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const next = pattern[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      source += next;
      i++;
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function sortKey(def: FieldDef): (value: unknown) => Comparable {
  const normalize = normalizer(def);
  // Text sorts case-insensitively in Salesforce; ids keep their case (the normalizer keeps it for ids).
  return def.type === 'boolean' ? (v) => (typeof v === 'boolean' ? Number(v) : null) : normalize;
}

function compareKeys(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

export function evaluate(query: Query, db: SoqlDatabase, options: SoqlOptions = {}): SoqlResult {
  const compiler = new Compiler(db, query, options);
  const isCount = query.select.some((item) => item.kind === 'count');
  const projection = compiler.projection();
  const order = query.orderBy.map((item) => {
    const field = compiler.resolveField(item.field);
    return {
      get: field.get,
      key: sortKey(field.def),
      descending: item.descending,
      nullsLast: item.nullsLast,
    };
  });
  const plan = compiler.plan();
  const offset = query.offset ?? 0;
  const limit = query.limit ?? Infinity;

  // Without ORDER BY the first offset+limit matches are the answer, so the scan can stop early.
  let rows = plan.matchingRows(order.length === 0 || isCount ? offset + limit : Infinity);
  if (order.length > 0 && !isCount) {
    const decorated = rows.map((row) => ({ row, keys: order.map((o) => o.key(o.get(row))) }));
    decorated.sort((x, y) => {
      for (let i = 0; i < order.length; i++) {
        const o = order[i]!;
        const a = x.keys[i] ?? null;
        const b = y.keys[i] ?? null;
        if (a === b) continue;
        if (a === null) return o.nullsLast ? 1 : -1;
        if (b === null) return o.nullsLast ? -1 : 1;
        const c = compareKeys(a, b);
        return o.descending ? -c : c;
      }
      return 0;
    });
    rows = decorated.map((d) => d.row);
  }
  rows = rows.slice(offset, offset + limit);

  if (isCount) return { totalSize: rows.length, records: [], isCount: true };
  const version = (options.apiVersion ?? DEFAULT_API_VERSION).replace(/^v/i, '');
  const records = rows.map(projector(projection, version, db));
  return { totalSize: records.length, records, isCount: false };
}

/**
 * Builds REST-shaped records. A parent (e.g. one PermissionSet behind 100k assignments) is projected once per query
 * and the same object is shared by every record that points at it, which keeps large results cheap; callers must
 * treat records as read-only (serialising them is the intended use).
 */
function projector(node: ProjectionNode, version: string, db: SoqlDatabase): (row: Row) => Row {
  const prefix = `/services/data/v${version}/sobjects/${node.objectName}/`;
  const steps = node.entries.map((entry) => {
    if (entry.kind === 'field') {
      const { name } = entry;
      return (row: Row, out: Row) => {
        out[name] = row[name] ?? null;
      };
    }
    const { idField, target, relationshipName } = entry.hop;
    const parentProjector = projector(entry.node, version, db);
    const cache = new Map<Row, Row>();
    return (row: Row, out: Row) => {
      const id = row[idField];
      const parent = typeof id === 'string' && id !== '' ? db.byId(target, id) : undefined;
      if (!parent) {
        out[relationshipName] = null;
        return;
      }
      let projected = cache.get(parent);
      if (!projected) {
        projected = parentProjector(parent);
        cache.set(parent, projected);
      }
      out[relationshipName] = projected;
    };
  });
  const type = node.objectName;
  return (row) => {
    const out: Row = { attributes: { type, url: prefix + String(row.Id) } };
    for (const step of steps) step(row, out);
    return out;
  };
}
