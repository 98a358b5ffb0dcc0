/** The shape of a peer, shared by the platform readers (linux.ts, darwin.ts) and the layer's door. */

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /** SO_PEERPIDFD fd owned by the caller, or null where the kernel/OS has none */
  pidfd: number | null;
}
