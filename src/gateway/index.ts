/**
 * Public door of the gateway's pure side (daemon/gateway/ is its transport): which route a request
 * is for, the per-session CA, and forwarding upstream with the credential attached.
 */
export { type Attachment, type Forwarded, forward } from './forward.js';
export { repoOfRequest } from './repo.js';
export {
  baseUrlTarget,
  parseAuthority,
  proxyTarget,
  type RouteTarget,
  routesAt,
  tlsHosts,
} from './routes.js';
export { type Leaf, SessionCa } from './session-ca.js';
export { Upstreams } from './upstream.js';
