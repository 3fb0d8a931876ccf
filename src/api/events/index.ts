export { list } from './list.js';
export { retrieve } from './retrieve.js';
