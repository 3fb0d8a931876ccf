// Parameters shared by the webhook endpoint create and update calls.
import { SUBSCRIBABLE } from '../../webhooks/subscriptions.js';
import { checkApiVersion } from '../stripe/endpoint.js';
import { errors } from '../stripe/errors.js';
import { p } from '../stripe/params.js';

export const ENABLED_EVENTS = p.array(p.enum(SUBSCRIBABLE), 100);

export function checkEnabledEvents(events: string[] | null | undefined): void {
  if (events !== undefined && (events === null || events.length === 0))
    throw errors.invalid('enabled_events', 'Invalid enabled_events: it must name at least one event type, or *.');
}

export function checkVersionParam(v: string | undefined): void {
  if (v === undefined) return;
  try {
    checkApiVersion(v);
  } catch {
    throw errors.invalid('api_version', `Invalid api_version: ${v.slice(0, 100)}`);
  }
}
