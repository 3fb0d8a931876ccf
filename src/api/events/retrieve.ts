// GET /v1/events/:id — stripe.events.retrieve
import { presentEvent } from '../../domain/present.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { EVENT_RETENTION_S } from './list.js';

const PARAMS = { expand: p.expand() };

export const retrieve: Endpoint = {
  method: 'GET',
  path: '/v1/events/:id',
  access: 'events_read',
  async handler(ctx) {
    const params = parseParams(PARAMS, ctx.params);
    parseExpand(params.expand, new Set());
    const id = ctx.path.id;
    const e = await ctx.deps.store.findEvent(id);
    if (!e || e.created < ctx.nowS - EVENT_RETENTION_S) throw errors.notFound('event', id);
    if (e.livemode !== ctx.livemode) throw errors.notFound('event', id, 'id', e.livemode ? 'live' : 'test');
    return { body: presentEvent(e) };
  },
};
