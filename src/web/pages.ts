// HTML routes: the hosted page, the modal frame, status screens, the modal script and static assets.
import type { Hono } from 'hono';
import type { Deps } from '../deps.js';

export function mountPages(_app: Hono<any>, _deps: Deps): void {}
