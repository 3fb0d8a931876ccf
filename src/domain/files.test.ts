import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startVerity, type Verity } from '../../test/harness.js';
import { SAMPLE } from '../api/files/testkit.js';
import { cleanFilename, createFile, readFileContents, redactSessionFiles, sniffFileType } from './files.js';

describe('files domain', () => {
  it('sniffs JPEG, PNG and PDF from their first bytes and nothing else', () => {
    assert.equal(sniffFileType(SAMPLE.jpg), 'jpg');
    assert.equal(sniffFileType(SAMPLE.png), 'png');
    assert.equal(sniffFileType(SAMPLE.pdf), 'pdf');
    assert.equal(sniffFileType(Buffer.from([0xff, 0xd8])), null, 'two bytes are not a JPEG');
    assert.equal(sniffFileType(Buffer.from('GIF89a')), null);
    assert.equal(sniffFileType(Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63])), null, 'HEIC is not accepted');
    assert.equal(sniffFileType(new Uint8Array(0)), null);
  });

  it('cleans file names for display and headers', () => {
    assert.equal(cleanFilename('C:\\Users\\me\\id.jpg'), 'id.jpg');
    assert.equal(cleanFilename('../../etc/passwd'), 'passwd');
    assert.equal(cleanFilename('a\r\nb.jpg'), 'ab.jpg');
    assert.equal(cleanFilename(''), null);
    assert.equal(cleanFilename('x'.repeat(300))?.length, 255);
  });

  describe('with a store', () => {
    let v: Verity;
    before(async () => {
      v = await startVerity();
    });
    after(() => v.close());

    it('creates and reads back a file inside a transaction (as the hosted page does), without waiting on itself', async () => {
      const f = await v.deps.store.transaction(async (tx) => {
        const d = { ...v.deps, store: tx };
        const made = await createFile(d, { livemode: false, purpose: 'selfie', bytes: SAMPLE.jpg, filename: 'me.jpg', sessionId: null });
        assert.deepEqual(await readFileContents(d, made.id), SAMPLE.jpg);
        return made;
      });
      assert.deepEqual(await readFileContents(v.deps, f.id), SAMPLE.jpg);
    });

    it('leaves no file behind when the transaction that created it rolls back', async () => {
      let id = '';
      await assert.rejects(
        v.deps.store.transaction(async (tx) => {
          id = (await createFile({ ...v.deps, store: tx }, { livemode: false, purpose: 'selfie', bytes: SAMPLE.png, filename: null })).id;
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal(await readFileContents(v.deps, id), null);
      assert.equal(await v.deps.blobs.get(id), undefined);
    });

    it("redacts a session's files: contents deleted, reads answer null; other files stay", async () => {
      const s = await v.stripe().identity.verificationSessions.create({ type: 'document' });
      const mine = await createFile(v.deps, { livemode: false, purpose: 'identity_document_downloadable', bytes: SAMPLE.jpg, filename: null, sessionId: s.id });
      const other = await createFile(v.deps, { livemode: false, purpose: 'identity_document_downloadable', bytes: SAMPLE.jpg, filename: null });
      await redactSessionFiles(v.deps, s.id);
      assert.equal(await readFileContents(v.deps, mine.id), null);
      assert.equal(await v.deps.blobs.get(mine.id), undefined);
      assert.deepEqual(await readFileContents(v.deps, other.id), SAMPLE.jpg);
      assert.equal(await readFileContents(v.deps, 'file_unknown'), null);
    });
  });
});
