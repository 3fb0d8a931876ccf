export { create } from './create.js';
export { del } from './del.js';
export { list } from './list.js';
export { retrieve } from './retrieve.js';
export { update } from './update.js';
export { rollSecret } from './roll_secret.js';
