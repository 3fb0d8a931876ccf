// Validates responses against Stripe's published OpenAPI schema (shared/reference/openapi-identity.json,
// API 2023-08-16). Fields Stripe added after that version are not in it; the schema allows extra
// properties, and the contract suite checks those newer fields explicitly.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const here = path.dirname(fileURLToPath(import.meta.url));

function findSpec(): string {
  // The reference sits in ../shared beside the checkout (as in CI); a copy may be pointed at explicitly.
  const candidates = [
    process.env.VERITY_OPENAPI,
    path.resolve(here, '../../shared/reference/openapi-identity.json'),
    path.resolve(here, '../test/fixtures/openapi-identity.json'),
  ].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`openapi-identity.json not found; looked in ${candidates.join(', ')}`);
  return found;
}

const spec = toJsonSchema(JSON.parse(fs.readFileSync(findSpec(), 'utf8')));

// OpenAPI 3.0's `nullable` beside anyOf/$ref (no `type`) is not JSON Schema; rewrite it as "null or …".
function toJsonSchema(node: unknown): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchema(v);
  // Ajv honours `nullable` beside `type`, but an `enum` must then list null itself.
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [{ type: 'null' }, out] };
  }
  return out;
}
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('unix-time', /^\d+$/);
ajv.addSchema({ $id: 'openapi.json', components: spec.components, paths: spec.paths });

const cache = new Map<string, ValidateFunction>();

function validator(ref: string): ValidateFunction {
  let v = cache.get(ref);
  if (!v) {
    v = ajv.compile({ $ref: `openapi.json${ref}` });
    cache.set(ref, v);
  }
  return v;
}

const SCHEMAS = {
  session: '#/components/schemas/identity.verification_session',
  report: '#/components/schemas/identity.verification_report',
  error: '#/components/schemas/error',
} as const;

/** Throws with every schema violation listed, and the whole object, when obj does not match. */
export function assertSchema(kind: keyof typeof SCHEMAS | 'sessionList' | 'reportList', obj: unknown): void {
  let v: ValidateFunction;
  if (kind === 'sessionList')
    v = validator("#/paths/~1v1~1identity~1verification_sessions/get/responses/200/content/application~1json/schema");
  else if (kind === 'reportList')
    v = validator("#/paths/~1v1~1identity~1verification_reports/get/responses/200/content/application~1json/schema");
  else v = validator(SCHEMAS[kind]);
  if (!v(obj)) {
    throw new Error(`response does not match Stripe's ${kind} schema:\n${ajv.errorsText(v.errors, { separator: '\n' })}\n${JSON.stringify(obj, null, 2)}`);
  }
}
