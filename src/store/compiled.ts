// Hot queries compiled once per dialect. Kysely builds and compiles every query afresh, which costs about as
// much as SQLite takes to run a point query; the SQL only depends on the dialect and the query's shape, so
// `build` is compiled once with marker values in place of `values` (in the same order) and each call binds
// its own values where the markers were. The same SQL and parameters as `build(values)`.
import { type Compilable, type CompiledQuery, type Kysely, type QueryResult, SelectQueryNode } from 'kysely';

// By dialect and name; the marker stands in for each bound value.
const COMPILED = new Map<string, { query: CompiledQuery; slots: number[] }>();
const MARKER = '\u0000verity-value-';

export type ReadNow = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;

/**
 * Runs `build(values)` on db. `name` must identify the query's shape: one name, one SQL text per dialect.
 * A SELECT goes through `readNow` (see OpenedDb.readNow) when given and able to run it.
 */
export function runCompiled(
  db: Kysely<any>,
  dialect: string,
  name: string,
  values: readonly unknown[],
  build: (v: readonly any[]) => Compilable,
  readNow?: ReadNow,
): Promise<QueryResult<any>> {
  // Kysely leaves undefined values out of the SQL, so such a call has another shape: build it as usual.
  if (values.includes(undefined)) return db.executeQuery(build(values));
  const key = `${dialect}:${name}`;
  let c = COMPILED.get(key);
  if (!c) {
    const query = build(values.map((_, i) => `${MARKER}${i}`)).compile();
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARKER) ? Number(p.slice(MARKER.length)) : -1));
    if (new Set(slots.filter((i) => i >= 0)).size !== values.length) throw new Error(`runCompiled(${name}): every value must be bound`);
    c = { query, slots };
    COMPILED.set(key, c);
  }
  const { query, slots } = c;
  const parameters = slots.map((i, at) => (i >= 0 ? values[i] : query.parameters[at]));
  if (readNow && SelectQueryNode.is(query.query)) {
    try {
      const rows = readNow(query.sql, parameters);
      if (rows) return Promise.resolve({ rows });
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return db.executeQuery({ ...query, parameters });
}
