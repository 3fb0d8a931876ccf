export { create } from './create.js';
export { list } from './list.js';
export { retrieve } from './retrieve.js';
export { update } from './update.js';
export { mountFileLinkDownloads } from './download.js';
