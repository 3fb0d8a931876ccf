export { verify } from './verify.js';
export { unverify } from './unverify.js';
