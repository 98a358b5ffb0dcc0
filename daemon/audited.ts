/**
 * Errors whose audit row is already written (a policy deny records its decision and policies), so
 * the server does not add a second, generic error row for the same request.
 */
const audited = new WeakSet<Error>();

export function markAudited<E extends Error>(error: E): E {
  audited.add(error);
  return error;
}

export function wasAudited(error: unknown): boolean {
  return error instanceof Error && audited.has(error);
}
