/** Public door of process attestation: what /proc says about the process behind a request. */
export { readExe } from './exe.js';
