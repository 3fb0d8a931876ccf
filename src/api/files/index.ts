export { create } from './create.js';
export { list } from './list.js';
export { retrieve } from './retrieve.js';
export { contents } from './contents.js';
