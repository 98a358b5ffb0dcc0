/** Public door of identity: who the human behind a request is. */
export { localHuman } from './local.js';
