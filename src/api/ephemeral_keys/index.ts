export { create } from './create.js';
export { del } from './del.js';
