// POST /v1/files — stripe.files.create({purpose, file: {data, name, type}}). multipart/form-data; stripe-node
// sends it to the configured host (a custom host replaces files.stripe.com too).
import { createFileLink } from '../../domain/file-links.js';
import { FILE_PURPOSES, MAX_FILE_BYTES, createFile } from '../../domain/files.js';
import type { Endpoint } from '../stripe/endpoint.js';
import { MSG, StripeError, errors } from '../stripe/errors.js';
import { parseExpand } from '../stripe/expand.js';
import { p, parseParams } from '../stripe/params.js';
import { FILE_EXPANDS, renderFile } from './shared.js';

const PARAMS = {
  purpose: p.enum(FILE_PURPOSES),
  expand: p.expand(),
  file_link_data: p.object({ create: p.boolean(), expires_at: p.integer({ min: 0 }), metadata: p.metadata() }, { required: ['create'] }),
};

/** Room for the other parts and the multipart framing around a file of the maximum size. */
const FRAMING_BYTES = 64 * 1024;

export const tooLarge = () => new StripeError({ status: 400, param: 'file', message: MSG.fileTooLarge(MAX_FILE_BYTES) });

export const create: Endpoint = {
  method: 'POST',
  path: '/v1/files',
  access: 'files_write',
  body: { kind: 'multipart', maxBytes: MAX_FILE_BYTES + FRAMING_BYTES, tooLarge },
  async handler(ctx) {
    // `file` is the multipart file part, not a form parameter: sent as text it is not a file.
    if (ctx.params.file !== undefined) throw errors.invalid('file', MSG.fileNotAFile);
    const params = parseParams(PARAMS, ctx.params, ['purpose']);
    parseExpand(params.expand, FILE_EXPANDS);
    const up = ctx.upload;
    if (!up) throw errors.missingParam('file');
    if (up.field !== 'file') throw errors.unknownParam(up.field);
    if (up.bytes.length > MAX_FILE_BYTES) throw tooLarge();
    const f = await createFile(ctx.deps, { livemode: ctx.livemode, purpose: params.purpose!, bytes: up.bytes, filename: up.filename });
    const fl = params.file_link_data;
    if (fl?.create) await createFileLink(ctx, { file: f.id, expires_at: fl.expires_at ?? undefined, metadata: fl.metadata });
    return { body: await renderFile(ctx, f) };
  },
};
