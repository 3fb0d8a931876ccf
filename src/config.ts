// The only place that reads the environment. Parsed and checked once at start-up; everything else takes
// a Config.
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  dbPoolSize: number;
  apiKeys: string[];
  encryptionKey: string | undefined;
  /** The API version assumed when a request names none (stripe-node 23 pins this one). */
  defaultApiVersion: string;
  /** How long a simulated "after processing" outcome stays in processing, in milliseconds. */
  simulatedProcessingMs: number;
  /** How long redaction takes to complete after it is requested, in milliseconds. */
  redactionDelayMs: number;
  /** How long a claimed job stays with its worker; a job whose worker died runs again after this, in milliseconds. */
  jobLeaseMs: number;
  /** Jobs the worker runs at once (two live verifications side by side on a 2-core machine). */
  jobConcurrency: number;
  /** `stripe`: enforce Stripe's request rate limits (429 rate_limit); `off` (default): no limit. */
  rateLimit: 'off' | 'stripe';
  logLevel: 'silent' | 'info' | 'debug';
  webhooks: {
    /** Per-attempt timeout (connect + response), in milliseconds. */
    timeoutMs: number;
    /** Deliveries in flight at once, per process. */
    concurrency: number;
    /** Delays between attempts, in seconds; one more attempt than there are entries. */
    retryLive: number[];
    retryTest: number[];
    /** An endpoint that has only failed for this long is disabled, in seconds. */
    disableAfterS: number;
    privateAddresses: 'allow' | 'deny';
  };
  /** What the hosted verification page shows about the business it verifies for. */
  page: {
    businessName: string;
    /** The business's privacy policy, linked from the consent screen; null links our own data notice only. */
    privacyUrl: string | null;
    /** One accent colour (#rrggbb); the page darkens it when white text on it would not reach 4.5:1. */
    brandColor: string;
    /** Origins allowed to frame the modal (`frame-ancestors`); empty means any http(s) origin. */
    frameOrigins: string[];
  };
  /** Live-mode checks. Face thresholds left null take the engine's measured defaults (DEFAULT_FACE_THRESHOLDS). */
  verification: {
    /** People younger than this fail with under_supported_age. */
    minAge: number;
    faceMatch: number | null;
    /** Half-width of the band around faceMatch in which a person decides (`verity review`); 0 turns review off. */
    faceReviewBand: number | null;
    /** Liveness score below which a selfie counts as a replayed or printed face. */
    faceLiveness: number | null;
    /** Engine threads, each with its own models (~300 MB each). */
    engineThreads: number;
  };
  /** Where live-mode one-time codes go: email by SMTP, SMS through an HTTP webhook the company runs. */
  otp: {
    smtpUrl: string | null;
    smtpFrom: string | null;
    smsWebhookUrl: string | null;
    smsWebhookSecret: string | null;
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 4242, 'PORT', 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL is not a URL: ${publicUrl}`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL must start with postgres:// (leave it unset for the embedded SQLite database)');
  const apiKeys = (env.VERITY_API_KEYS || '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const k of apiKeys) {
    if (!/^(sk|rk|pk)_(test|live)_[A-Za-z0-9]{8,}$/.test(k))
      throw new ConfigError(`VERITY_API_KEYS holds a value that is not a key (sk_test_…, sk_live_…): ${k.slice(0, 8)}…`);
  }
  const logLevel = (env.VERITY_LOG || 'info') as Config['logLevel'];
  if (!['silent', 'info', 'debug'].includes(logLevel)) throw new ConfigError('VERITY_LOG must be silent, info or debug');
  return {
    port,
    host,
    publicUrl,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    dbPoolSize: int(env.DATABASE_POOL_SIZE, 10, 'DATABASE_POOL_SIZE', 1, 1000),
    apiKeys,
    encryptionKey: env.VERITY_ENCRYPTION_KEY || undefined,
    defaultApiVersion: env.VERITY_DEFAULT_API_VERSION || '2026-10-28.endive',
    simulatedProcessingMs: int(env.VERITY_SIMULATED_PROCESSING_MS, 3000, 'VERITY_SIMULATED_PROCESSING_MS', 0, 3_600_000),
    redactionDelayMs: int(env.VERITY_REDACTION_DELAY_MS, 1000, 'VERITY_REDACTION_DELAY_MS', 0, 4 * 86_400_000),
    jobLeaseMs: int(env.VERITY_JOB_LEASE_MS, 60_000, 'VERITY_JOB_LEASE_MS', 1000, 3_600_000),
    jobConcurrency: int(env.VERITY_JOB_CONCURRENCY, 2, 'VERITY_JOB_CONCURRENCY', 1, 32),
    rateLimit: choice(env.VERITY_RATE_LIMIT, ['off', 'stripe'] as const, 'off', 'VERITY_RATE_LIMIT'),
    logLevel,
    webhooks: {
      timeoutMs: int(env.VERITY_WEBHOOK_TIMEOUT_MS, 10_000, 'VERITY_WEBHOOK_TIMEOUT_MS', 100, 300_000),
      concurrency: int(env.VERITY_WEBHOOK_CONCURRENCY, 64, 'VERITY_WEBHOOK_CONCURRENCY', 1, 1000),
      // Live: about 3 days in all, like Stripe; test: 3 retries over a few hours, like Stripe's test mode.
      retryLive: schedule(env.VERITY_WEBHOOK_RETRY_LIVE, [60, 300, 1800, 3600, 7200, 14400, 28800, 43200, 43200, 43200, 43200], 'VERITY_WEBHOOK_RETRY_LIVE'),
      retryTest: schedule(env.VERITY_WEBHOOK_RETRY_TEST, [60, 1800, 7200], 'VERITY_WEBHOOK_RETRY_TEST'),
      disableAfterS: int(env.VERITY_WEBHOOK_DISABLE_AFTER_S, 3 * 86400 + 3600, 'VERITY_WEBHOOK_DISABLE_AFTER_S', 1, 365 * 86400),
      privateAddresses: choice(env.VERITY_WEBHOOK_PRIVATE_ADDRESSES, ['allow', 'deny'] as const, 'allow', 'VERITY_WEBHOOK_PRIVATE_ADDRESSES'),
    },
    page: {
      businessName: (env.VERITY_BUSINESS_NAME || 'Verity').trim(),
      privacyUrl: optionalUrl(env.VERITY_PRIVACY_URL, 'VERITY_PRIVACY_URL'),
      brandColor: color(env.VERITY_BRAND_COLOR, '#3b4cca', 'VERITY_BRAND_COLOR'),
      frameOrigins: origins(env.VERITY_FRAME_ORIGINS, 'VERITY_FRAME_ORIGINS'),
    },
    verification: {
      minAge: int(env.VERITY_MIN_AGE, 18, 'VERITY_MIN_AGE', 0, 150),
      faceMatch: fraction(env.VERITY_FACE_MATCH_THRESHOLD, 'VERITY_FACE_MATCH_THRESHOLD'),
      faceReviewBand: fraction(env.VERITY_FACE_REVIEW_BAND, 'VERITY_FACE_REVIEW_BAND'),
      faceLiveness: fraction(env.VERITY_FACE_LIVENESS_THRESHOLD, 'VERITY_FACE_LIVENESS_THRESHOLD'),
      engineThreads: int(env.VERITY_ENGINE_THREADS, 2, 'VERITY_ENGINE_THREADS', 1, 8),
    },
    otp: {
      smtpUrl: smtpUrl(env.VERITY_SMTP_URL, 'VERITY_SMTP_URL'),
      smtpFrom: env.VERITY_SMTP_FROM || null,
      smsWebhookUrl: optionalUrl(env.VERITY_SMS_WEBHOOK_URL, 'VERITY_SMS_WEBHOOK_URL'),
      smsWebhookSecret: env.VERITY_SMS_WEBHOOK_SECRET || null,
    },
  };
}

function fraction(v: string | undefined, name: string): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  if (!/^\d*\.?\d+$/.test(v) || n > 1) throw new ConfigError(`${name} must be a number between 0 and 1`);
  return n;
}

function smtpUrl(v: string | undefined, name: string): string | null {
  if (!v) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`${name} must be an smtp:// or smtps:// URL`);
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new ConfigError(`${name} must be an smtp:// or smtps:// URL`);
  return v;
}

function optionalUrl(v: string | undefined, name: string): string | null {
  if (!v) return null;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL`);
  return u.href;
}

function color(v: string | undefined, dflt: string, name: string): string {
  if (!v) return dflt;
  if (!/^#[0-9a-fA-F]{6}$/.test(v)) throw new ConfigError(`${name} must be a colour like #3b4cca`);
  return v.toLowerCase();
}

function origins(v: string | undefined, name: string): string[] {
  if (!v) return [];
  return v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      let u: URL;
      try {
        u = new URL(x);
      } catch {
        throw new ConfigError(`${name} must be a comma-separated list of origins like https://shop.example`);
      }
      if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.origin !== x.replace(/\/+$/, ''))
        throw new ConfigError(`${name} must be a comma-separated list of origins like https://shop.example`);
      return u.origin;
    });
}

function schedule(v: string | undefined, dflt: number[], name: string): number[] {
  if (v === undefined || v === '') return dflt;
  const parts = v.split(',').map((x) => x.trim());
  if (!parts.every((x) => /^\d+(\.\d+)?$/.test(x))) throw new ConfigError(`${name} must be a comma-separated list of seconds`);
  return parts.map(Number);
}

function choice<T extends string>(v: string | undefined, values: readonly T[], dflt: T, name: string): T {
  if (v === undefined || v === '') return dflt;
  if (!(values as readonly string[]).includes(v)) throw new ConfigError(`${name} must be one of ${values.join(', ')}`);
  return v as T;
}

function int(v: string | undefined, dflt: number, name: string, min: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}`);
  return n;
}
