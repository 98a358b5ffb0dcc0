/**
 * Hot reload: watches the policy dir and calls back once a burst of changes has settled. Editors
 * save by writing a temp file and renaming it over the original, and `agentid init` creates the
 * dir itself, so the dir is watched (never single files), and its parent too, to see the dir
 * appear, disappear or be replaced; the dir watch is re-armed after every change.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export function watchPolicyDir(dir: string, debounceMs: number, onChange: () => void): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  let dirWatcher: FSWatcher | null = null;
  let closed = false;

  const armDir = () => {
    dirWatcher?.close();
    dirWatcher = tryWatch(dir, schedule);
  };
  function schedule() {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      armDir();
      onChange();
    }, debounceMs);
  }
  const name = basename(dir);
  const parentWatcher = tryWatch(dirname(dir), (file) => {
    if (file === null || file === name) schedule();
  });
  armDir();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
      dirWatcher?.close();
      parentWatcher?.close();
    },
  };
}

function tryWatch(path: string, onEvent: (file: string | null) => void): FSWatcher | null {
  if (!existsSync(path)) return null;
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
