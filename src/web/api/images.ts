// POST /verify/api/images (multipart: side, upload_method, file) — one photo of the document or the face.
// Order matters for "nothing stored on rejected input": the link and the side are checked first, the body is
// read within its cap (413 before reading from Content-Length, or as soon as the bytes pass it), the image
// is decoded and re-encoded, and only then stored as a File owned by the session and recorded.
import { createFile } from '../../domain/files.js';
import { type ImageSide, UPLOAD_METHODS, type UploadMethod, checkImageAllowed, recordImage, requireActive } from '../../domain/page.js';
import { PAGE_IMAGE_MAX_BYTES, normalisePageImage } from '../images.js';
import { MSG, PageError } from './errors.js';
import { type PageRoute, readCapped } from './route.js';

const SIDES: readonly ImageSide[] = ['front', 'back', 'selfie'];
// The file plus its multipart framing and the two short fields.
const MAX_BODY_BYTES = PAGE_IMAGE_MAX_BYTES + 64 * 1024;

function field<T extends string>(form: FormData, name: string, allowed: readonly T[]): T {
  const v = form.get(name);
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new PageError('invalid_request', MSG.badField(name));
  return v as T;
}

export const images: PageRoute = {
  method: 'POST',
  path: '/images',
  body: 'raw',
  async handler({ deps, token, req }) {
    const { session: s, collection } = await requireActive(deps, token);
    const type = req.headers.get('content-type') ?? '';
    if (!/^multipart\/form-data\s*;/i.test(type)) throw new PageError('invalid_request', MSG.notMultipart);
    const raw = await readCapped(req, MAX_BODY_BYTES, () => new PageError('file_too_large'));
    let form: FormData;
    try {
      form = await new Response(raw as unknown as BodyInit, { headers: { 'content-type': type } }).formData();
    } catch {
      throw new PageError('invalid_request', MSG.badForm);
    }
    const side = field(form, 'side', SIDES);
    const method = field<UploadMethod>(form, 'upload_method', UPLOAD_METHODS);
    const file = form.get('file');
    if (file === null || typeof file === 'string') throw new PageError('invalid_request', MSG.noFile);
    if (file.size > PAGE_IMAGE_MAX_BYTES) throw new PageError('file_too_large');
    checkImageAllowed(s, side, method, collection);
    const jpeg = await normalisePageImage(Buffer.from(await file.arrayBuffer()), side);
    const stored = await createFile(deps, {
      livemode: s.livemode,
      purpose: side === 'selfie' ? 'selfie' : 'identity_document_downloadable',
      bytes: jpeg,
      filename: `${side}.jpg`,
      sessionId: s.id,
    });
    return recordImage(deps, token, side, method, stored.id);
  },
};
