// Table shapes of the files migration (0005), kept beside schema.ts so the two grow without colliding.
import type { Generated } from 'kysely';

export interface FileTable {
  seq: Generated<number>;
  id: string;
  livemode: number;
  created: number;
  purpose: string;
  type: string;
  filename: string | null;
  size: number;
  expires_at: number | null;
  session_id: string | null;
  redacted: Generated<number>;
}

export interface FileLinkTable {
  seq: Generated<number>;
  id: string;
  livemode: number;
  created: number;
  file_id: string;
  token_hash: string;
  token: string; // sealed
  expires_at: number | null;
  metadata: string; // JSON object
}

export interface EphemeralKeyTable {
  id: string;
  livemode: number;
  created: number;
  expires: number;
  secret_hash: string;
  session_id: string;
  api_version: string;
  deleted: Generated<number>;
}

export interface BlobTable {
  key: string;
  data: Buffer;
  created: number;
}

export interface FileTables {
  files: FileTable;
  file_links: FileLinkTable;
  ephemeral_keys: EphemeralKeyTable;
  blobs: BlobTable;
}
