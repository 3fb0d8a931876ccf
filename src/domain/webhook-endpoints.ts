// Webhook endpoints: where a mode's events go. The signing secret is shown once, on create; it is kept
// encrypted (it must be usable to sign), never hashed.
import { StripeError, errors } from '../api/stripe/errors.js';
import type { Deps } from '../deps.js';
import type { WebhookEndpoint } from '../store/webhook-store.js';
import { newSigningSecret } from '../webhooks/signing.js';
import { isLoopback, isPrivateAddress, urlProblem } from '../webhooks/url-policy.js';
import { nowSec } from './clock.js';
import { randomBase62 } from './ids.js';
import { mergeMetadata } from './sessions.js';

export const MAX_ENDPOINTS_PER_MODE = 16;

export interface EndpointInput {
  url?: string;
  enabled_events?: string[];
  description?: string | null;
  metadata?: Record<string, string | null> | null;
  api_version?: string;
  disabled?: boolean;
}

function checkUrl(d: Deps, url: string): void {
  const problem = urlProblem(url, { publicUrl: d.config.publicUrl, port: d.config.port });
  if (problem) throw errors.invalid('url', `Invalid URL: ${url.slice(0, 200)} cannot receive webhooks: ${problem}.`, 'url_invalid');
  if (d.config.webhooks.privateAddresses === 'deny') {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (isLoopback(host) || isPrivateAddress(host))
      throw errors.invalid('url', `Invalid URL: ${url.slice(0, 200)} is a private address, and this server forbids them (VERITY_WEBHOOK_PRIVATE_ADDRESSES=deny).`, 'url_invalid');
  }
}

export async function createEndpoint(d: Deps, livemode: boolean, input: EndpointInput & { url: string; enabled_events: string[] }): Promise<WebhookEndpoint> {
  checkUrl(d, input.url);
  const e: WebhookEndpoint = {
    id: `we_${randomBase62(24)}`,
    livemode,
    created: nowSec(d.clock),
    url: input.url,
    enabled_events: [...new Set(input.enabled_events)],
    description: input.description ?? null,
    metadata: mergeMetadata({}, input.metadata),
    api_version: input.api_version ?? null,
    status: 'enabled',
    secret: newSigningSecret(),
    previous_secret: null,
    previous_secret_expires: null,
    deleted: false,
    failing_since: null,
  };
  await d.store.transaction(async (tx) => {
    if ((await tx.webhooks.countEndpoints(livemode)) >= MAX_ENDPOINTS_PER_MODE)
      throw new StripeError({
        status: 400,
        message: `You have reached the maximum of ${MAX_ENDPOINTS_PER_MODE} webhook endpoints in ${livemode ? 'live' : 'test'} mode. Delete one before adding another.`,
      });
    await tx.webhooks.insertEndpoint(e);
  });
  return e;
}

/** Longest overlap a roll may ask for: Stripe's Dashboard offers up to 24 hours. */
export const MAX_ROLL_OVERLAP_S = 86_400;

/**
 * Verity extension (Stripe rolls secrets in its Dashboard only): a new signing secret, returned once. The
 * previous one keeps signing beside it for `overlapS` seconds (0: stops at once, e.g. after a leak); rolling
 * again during an overlap drops the oldest secret.
 */
export async function rollEndpointSecret(d: Deps, id: string, livemode: boolean, overlapS: number): Promise<WebhookEndpoint> {
  return d.store.transaction(async (tx) => {
    const e = await loadEndpoint({ ...d, store: tx }, id, livemode);
    e.previous_secret = overlapS > 0 ? e.secret : null;
    e.previous_secret_expires = overlapS > 0 ? nowSec(d.clock) + overlapS : null;
    e.secret = newSigningSecret();
    await tx.webhooks.updateEndpoint(e);
    return e;
  });
}

export async function loadEndpoint(d: Deps, id: string, livemode: boolean): Promise<WebhookEndpoint> {
  const e = await d.store.webhooks.findEndpoint(id);
  if (!e || e.deleted) throw errors.notFound('webhook_endpoint', id);
  if (e.livemode !== livemode) throw errors.notFound('webhook_endpoint', id, 'id', e.livemode ? 'live' : 'test');
  return e;
}

export async function updateEndpoint(d: Deps, id: string, livemode: boolean, input: EndpointInput): Promise<WebhookEndpoint> {
  if (input.url !== undefined) checkUrl(d, input.url);
  return d.store.transaction(async (tx) => {
    const e = await loadEndpoint({ ...d, store: tx }, id, livemode);
    if (input.url !== undefined) e.url = input.url;
    if (input.enabled_events !== undefined) e.enabled_events = [...new Set(input.enabled_events)];
    if (input.description !== undefined) e.description = input.description;
    e.metadata = mergeMetadata(e.metadata, input.metadata);
    if (input.disabled !== undefined) {
      e.status = input.disabled ? 'disabled' : 'enabled';
      if (!input.disabled) e.failing_since = null;
    }
    await tx.webhooks.updateEndpoint(e);
    return e;
  });
}

export async function deleteEndpoint(d: Deps, id: string, livemode: boolean): Promise<WebhookEndpoint> {
  return d.store.transaction(async (tx) => {
    const e = await loadEndpoint({ ...d, store: tx }, id, livemode);
    e.deleted = true;
    e.status = 'disabled';
    await tx.webhooks.updateEndpoint(e);
    return e;
  });
}

export function presentEndpoint(e: WebhookEndpoint, withSecret = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: e.id,
    object: 'webhook_endpoint',
    api_version: e.api_version,
    application: null,
    created: e.created,
    description: e.description,
    enabled_events: e.enabled_events,
    livemode: e.livemode,
    metadata: e.metadata,
  };
  if (withSecret) out.secret = e.secret;
  out.status = e.status;
  out.url = e.url;
  return out;
}

