// The page API: JSON endpoints under /verify/api that the hosted page and the modal call.
import type { Hono } from 'hono';
import type { Deps } from '../../deps.js';

export function mountPageApi(_app: Hono<any>, _deps: Deps, _opts: { onWrite?: () => void } = {}): void {}
