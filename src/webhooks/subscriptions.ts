// Which endpoints receive which events. `*` means every event except the ones Stripe sends only to endpoints
// that name them (identity.verification_session.redacted).
import { EVENT_TYPES } from '../domain/types.js';

const EXPLICIT_ONLY = new Set<string>(['identity.verification_session.redacted']);

export const SUBSCRIBABLE: readonly string[] = ['*', ...EVENT_TYPES];

export function subscribes(enabledEvents: readonly string[], type: string): boolean {
  if (enabledEvents.includes(type)) return true;
  return enabledEvents.includes('*') && !EXPLICIT_ONLY.has(type);
}
