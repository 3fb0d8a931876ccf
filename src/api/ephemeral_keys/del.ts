// DELETE /v1/ephemeral_keys/:key — stripe.ephemeralKeys.del
import { deleteEphemeralKey, presentEphemeralKey } from '../../domain/ephemeral-keys.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { p, parseParams } from '../stripe/params.js';

export const del: Endpoint = {
  method: 'DELETE',
  path: '/v1/ephemeral_keys/:key',
  access: 'identity_write',
  async handler(ctx) {
    parseParams({ expand: p.expand() }, ctx.params);
    return { body: presentEphemeralKey(await deleteEphemeralKey(ctx, ctx.path.key)) };
  },
};
