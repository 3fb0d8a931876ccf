// Stripe's list conventions: limit 1–100 (default 10), starting_after / ending_before cursors that are object
// ids, newest first, and the `{object: "list", data, has_more, url}` envelope.
import type { PageRequest } from '../../store/store.js';
import { MSG, StripeError, errors } from './errors.js';
import { p } from './params.js';

export const LIST_PARAMS = {
  limit: p.integer({ min: 1, max: 100 }),
  starting_after: p.string(),
  ending_before: p.string(),
  expand: p.expand(),
} as const;

type Cursor = { created: number; seq: number };

export async function pageRequest(
  params: { limit?: number; starting_after?: string; ending_before?: string },
  object: string,
  findCursor: (id: string) => Promise<Cursor | undefined>,
): Promise<PageRequest> {
  const limit = params.limit ?? 10;
  if (params.starting_after !== undefined && params.ending_before !== undefined)
    throw new StripeError({ status: 400, message: MSG.onlyOneOf(['ending_before', 'starting_after']) });
  if (params.starting_after !== undefined) {
    const c = await findCursor(params.starting_after);
    if (!c) throw errors.notFound(object, params.starting_after, 'starting_after');
    return { limit, startingAfter: c };
  }
  if (params.ending_before !== undefined) {
    const c = await findCursor(params.ending_before);
    if (!c) throw errors.notFound(object, params.ending_before, 'ending_before');
    return { limit, endingBefore: c };
  }
  return { limit };
}

export function listEnvelope(url: string, data: unknown[], hasMore: boolean): Record<string, unknown> {
  return { object: 'list', data, has_more: hasMore, url };
}
