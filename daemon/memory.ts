/**
 * Gives freed memory back to the kernel (releaseFreeMemory: glibc's malloc_trim). The daemon's
 * start-up compiles Cedar's WebAssembly and loads its modules on V8's worker threads; what they
 * free stays resident in those threads' malloc arenas (tens of MiB, measured: 172 → 107 MiB idle)
 * until trimmed. Most of it is freed only some time after start-up, so besides a trim once the
 * daemon listens there is one a few seconds later, and later major garbage collections are
 * followed by one, at most one per interval: a trim walks every arena, a few milliseconds that a
 * busy daemon should not pay often.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { releaseFreeMemory } from '../src/native/libc.js';

const MIN_INTERVAL_MS = 10_000;
/**
 * V8 frees the memory of compiling Cedar on its worker threads a while after start-up, not at a
 * collection: measured 1-2 s on a busy 2-core machine.
 */
const AFTER_START_MS = 3_000;

/** Trims now, once start-up's compiling is over, and after major collections; returns the stop function. */
export function trimFreedMemory(monotonicMs: () => number): () => void {
  releaseFreeMemory();
  const afterStart = setTimeout(releaseFreeMemory, AFTER_START_MS);
  afterStart.unref();
  let last = monotonicMs();
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((entry) => kindOf(entry) === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major || monotonicMs() - last < MIN_INTERVAL_MS) return;
    last = monotonicMs();
    // After the collection's own callbacks, not inside them.
    setImmediate(releaseFreeMemory);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    clearTimeout(afterStart);
    observer.disconnect();
  };
}

/** A gc entry's kind (Node puts it in `detail`, which the PerformanceEntry type does not name). */
function kindOf(entry: PerformanceEntry): number | undefined {
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
}
