/** The shape of a peer, shared by the platform readers (linux.ts, darwin.ts) and the layer's door. */

export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /** SO_PEERPIDFD fd owned by the caller, or null where the kernel/OS has none */
  pidfd: number | null;
  /**
   * Inode of the client's end of the connection (what /proc/PID/fd shows for it); null where the
   * kernel would not say, absent where the peer is not a Unix socket connection.
   */
  socketInode?: number | null;
  /**
   * The program the peer ran when the connection was accepted (executable and memory layout, read
   * by the attestor); compared at every request, since exec keeps the pid. Absent: not read.
   */
  image?: string | null;
}
