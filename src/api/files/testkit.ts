// Shared by the files, file-links and ephemeral-key suites: sample contents, keys with file permissions,
// and shape checks for File and FileLink objects (Stripe's field order; every failure prints the object).
import assert from 'node:assert/strict';
import type Stripe from 'stripe';
import { createKey, PERMISSIONS } from '../../domain/keys.js';
import { createFile, type FilePurpose } from '../../domain/files.js';
import type { Verity } from '../../../test/harness.js';
import { assertFieldOrder, show } from '../../../test/identity.js';

/** The smallest bytes each sniffer accepts, padded so sizes are easy to tell apart. */
export const SAMPLE = {
  jpg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(120, 3)]),
  pdf: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'),
};

export async function fileKeys(v: Verity): Promise<{ filesWrite: string; filesRead: string; filesSensitive: string; filesWriteLive: string }> {
  const now = Math.floor(v.clock.nowMs() / 1000);
  const mk = async (permissions: string[], livemode = false) => (await createKey(v.deps.store, { kind: 'restricted', livemode, permissions, now })).key;
  return {
    filesWrite: await mk([PERMISSIONS.filesWrite]),
    filesRead: await mk([PERMISSIONS.filesRead]),
    filesSensitive: await mk([PERMISSIONS.filesWrite, PERMISSIONS.sensitiveRecent, PERMISSIONS.identityWrite]),
    filesWriteLive: await mk([PERMISSIONS.filesWrite], true),
  };
}

export function upload(stripe: Stripe, purpose: string, data: Buffer, name = 'id.jpg', type = 'image/jpeg') {
  return stripe.files.create({ purpose: purpose as Stripe.FileCreateParams.Purpose, file: { data, name, type } });
}

/** A file owned by a session, as the hosted page makes them (no API upload path sets the owner). */
export async function sessionFile(v: Verity, sessionId: string, purpose: FilePurpose = 'identity_document_downloadable', bytes = SAMPLE.jpg) {
  return createFile(v.deps, { livemode: false, purpose, bytes, filename: 'front.jpg', sessionId });
}

export function checkFile(f: unknown): void {
  const o = f as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['id', 'object', 'created', 'expires_at', 'filename', 'links', 'purpose', 'size', 'title', 'type', 'url'], show(f));
  assertFieldOrder(f);
  assert.match(String(o.id), /^file_[A-Za-z0-9]{24}$/, show(f));
  assert.equal(o.object, 'file', show(f));
  assert.equal(typeof o.created, 'number', show(f));
  assert.equal(typeof o.size, 'number', show(f));
  assert.ok(['jpg', 'png', 'pdf'].includes(String(o.type)), show(f));
  const links = o.links as Record<string, unknown>;
  assert.deepEqual(Object.keys(links), ['object', 'data', 'has_more', 'url'], show(f));
  assert.equal(links.url, `/v1/file_links?file=${o.id}`, show(f));
  for (const l of links.data as unknown[]) checkLink(l);
}

export function checkLink(l: unknown): void {
  const o = l as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), ['id', 'object', 'created', 'expired', 'expires_at', 'file', 'livemode', 'metadata', 'url'], show(l));
  assert.match(String(o.id), /^link_[A-Za-z0-9]{24}$/, show(l));
  assert.equal(o.object, 'file_link', show(l));
  assert.equal(typeof o.expired, 'boolean', show(l));
  assert.match(String(o.url), /\/links\/fl_(test|live)_[A-Za-z0-9]{48}$/, show(l));
}
