// Hot queries compiled once per dialect. Kysely builds and compiles every query afresh, which costs about as
// much as SQLite takes to run a point query; the SQL only depends on the dialect and the query's shape, so
// `build` is compiled once with marker values in place of `values` (in the same order) and each call binds
// its own values where the markers were. The same SQL and parameters as `build(values)`.
import { type Compilable, type CompiledQuery, type Kysely, type QueryResult, SelectQueryNode } from 'kysely';

interface Compiled {
  query: CompiledQuery;
  /** For each parameter of the SQL, the index of the value bound there, or -1 for a constant of the query. */
  slots: number[];
  select: boolean;
}

// By dialect, then name (two lookups rather than a key built on every call); the marker stands in for each
// bound value.
const COMPILED = new Map<string, Map<string, Compiled>>();
const MARKER = '\u0000verity-value-';

export type ReadNow = (sql: string, parameters: readonly unknown[]) => unknown[] | undefined;
export type RunNow = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

// Transactions (their Kysely instances) whose compiled queries may run at once: see holdingConnection.
const HOLDING = new WeakMap<Kysely<any>, RunNow>();

/**
 * Marks `trx` as a transaction that holds its connection to itself (SQLite: one connection, and Kysely
 * lets one transaction at a time have it), so that runCompiled runs its queries straight on the connection
 * with `runNow` instead of through Kysely's executor, whose per-query hand-over (connection provider,
 * plugins, result plumbing, several promise hops) cost about as much as SQLite's own insert. The statement
 * and its parameters are the same, and it runs on the same connection inside the same transaction.
 */
export function holdingConnection(trx: Kysely<any>, runNow: RunNow): void {
  HOLDING.set(trx, runNow);
}

/** The transaction has ended: its queries (should any still come) go back through Kysely, which refuses them. */
export function releasedConnection(trx: Kysely<any>): void {
  HOLDING.delete(trx);
}

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
  let byName = COMPILED.get(dialect);
  if (!byName) COMPILED.set(dialect, (byName = new Map()));
  let c = byName.get(name);
  if (!c) {
    const query = build(values.map((_, i) => `${MARKER}${i}`)).compile();
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARKER) ? Number(p.slice(MARKER.length)) : -1));
    if (new Set(slots.filter((i) => i >= 0)).size !== values.length) throw new Error(`runCompiled(${name}): every value must be bound`);
    c = { query, slots, select: SelectQueryNode.is(query.query) };
    byName.set(name, c);
  }
  const { query, slots } = c;
  const parameters: unknown[] = new Array(slots.length);
  for (let at = 0; at < slots.length; at++) parameters[at] = slots[at] >= 0 ? values[slots[at]] : query.parameters[at];
  const runNow = HOLDING.get(db);
  if (runNow) {
    try {
      return Promise.resolve(runNow(query.sql, parameters) as QueryResult<any>);
    } catch (e) {
      return Promise.reject(e);
    }
  }
  if (readNow && c.select) {
    try {
      const rows = readNow(query.sql, parameters);
      if (rows) return Promise.resolve({ rows });
    } catch (e) {
      return Promise.reject(e);
    }
  }
  return db.executeQuery({ ...query, parameters });
}
