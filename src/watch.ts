/**
 * Hot reload's eyes: calls back once a burst of changes to a file or a directory has settled.
 * Editors save by writing a temp file and renaming it over the original, `agentid init` creates
 * directories, and a user may create the config dir itself later, so single files are never
 * watched: the parent is (for events naming the target), a directory target itself too (for its
 * entries), and when the parent does not exist yet, the nearest ancestor that does. Every watch is
 * re-armed after each change, so a replaced or newly created directory is followed. The callback
 * must be idempotent (read the target, compare with the last read): events come in bursts, and
 * some are for neighbours.
 */
import { existsSync, type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export function watchPath(target: string, debounceMs: number, onChange: () => void): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let watchers: FSWatcher[] = [];
  let closed = false;

  function schedule() {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      arm();
      onChange();
    }, debounceMs);
  }
  function arm() {
    for (const w of watchers) w.close();
    watchers = [];
    if (isDirectory(target)) add(target, () => schedule());
    const name = basename(target);
    const parent = dirname(target);
    if (existsSync(parent)) {
      add(parent, (file) => {
        if (file === null || file === name) schedule();
      });
      return;
    }
    // Not there yet: any change near the top may be its parent appearing.
    let ancestor = dirname(parent);
    while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
    add(ancestor, () => schedule());
  }
  function add(path: string, onEvent: (file: string | null) => void) {
    const watcher = tryWatch(path, onEvent);
    if (watcher) watchers.push(watcher);
  }
  arm();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function tryWatch(path: string, onEvent: (file: string | null) => void): FSWatcher | null {
  try {
    const watcher = watch(path, { persistent: false }, (_event, file) =>
      onEvent(file === null ? null : String(file)),
    );
    // The watched dir was removed: the parent's watcher sees it and re-arms this one.
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}
