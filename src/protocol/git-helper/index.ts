/**
 * The git credential helper's door: git's credential protocol (git-credential.ts) alone. Through
 * the full door the helper, which git starts for every credential it needs, would also load the
 * request checks, the MCP pieces and the keep-alive client: ten more ES modules, each a resolve,
 * read and compile of that fresh process (docs/architecture.md). It reaches the daemon through
 * the client door (src/protocol/client).
 */
export * from '../git-credential.js';
