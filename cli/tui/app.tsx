/**
 * The audit TUI: state and keys. Everything it shows comes through AuditSource (the read-only
 * AuditReader in real use), one screenful at a time; the chain is verified in the background in
 * small steps, so the first screen does not wait for it and keys stay responsive.
 */
import { Box, type Key, Text, useApp, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditStats, ChainCheck } from '../../src/audit/index.js';
import { AgentIdError } from '../../src/errors.js';
import { printable } from '../../src/printable.js';
import { type AuditFilter, formatFilter, parseFilter } from './filter.js';
import { FOOTER } from './keys.js';
import { type ChainStatus, Detail, Header, Help, Table } from './views.js';
import { bottom, EMPTY, move, newer, type Pager, resize, top, type Window } from './window.js';

export interface AuditSource extends Pager {
  stats(): AuditStats;
  chainCheck(): ChainCheck;
}

export interface AuditAppProps {
  source: AuditSource;
  /** Shown in the header. */
  path: string;
  initialFilter: AuditFilter;
  follow: boolean;
  now: () => Date;
  /** How often follow mode looks for new rows. */
  pollMs?: number;
}

/** Rows checked per background step: a few milliseconds, so a key press never waits long. */
const VERIFY_STEP = 2_000;
/** Once caught up, how often the chain check looks at rows appended since. */
const VERIFY_IDLE_MS = 1_000;
/** Header (3 lines), table title, footer. */
const CHROME_LINES = 5;

type Mode = 'table' | 'detail' | 'help' | 'filter';

export function AuditApp(props: AuditAppProps) {
  const { source } = props;
  const { exit } = useApp();
  const size = useTerminalSize();
  const pageSize = Math.max(3, size.rows - CHROME_LINES - 1);
  const [getFilter, setFilter, filter] = useSyncState<AuditFilter>(props.initialFilter);
  const [getWin, setWin, win] = useSyncState<Window>(EMPTY);
  const [getMode, setMode, mode] = useSyncState<Mode>('table');
  const [getDraft, setDraft, draft] = useSyncState('');
  const [getFollow, setFollow, follow] = useSyncState(props.follow);
  const [message, setMessage] = useState<string | null>(null);
  const [stats, setStats] = useState<AuditStats | null>(null);
  const [chain, setChain] = useState<ChainStatus | null>(null);
  const sizeRef = useRef(pageSize);

  const guarded = useCallback((fn: () => void) => {
    try {
      fn();
      setMessage(null);
    } catch (err) {
      setMessage(err instanceof AgentIdError ? err.message : String(err));
    }
  }, []);

  // The first screen. Later filters are applied by the key handler, in the same turn.
  useEffect(() => {
    guarded(() => {
      setWin(top(source, getFilter(), sizeRef.current));
      setStats(source.stats());
    });
  }, [source, guarded, getFilter, setWin]);

  useEffect(() => {
    if (sizeRef.current === pageSize) return;
    sizeRef.current = pageSize;
    guarded(() => setWin(resize(source, getFilter(), getWin(), pageSize)));
  }, [pageSize, source, guarded, getFilter, getWin, setWin]);

  useEffect(() => {
    if (!follow) return;
    const timer = setInterval(() => {
      guarded(() => {
        const before = getWin();
        const next = newer(source, getFilter(), before, sizeRef.current);
        if (next === before) return;
        setWin(next);
        setStats(source.stats());
      });
    }, props.pollMs ?? 250);
    return () => clearInterval(timer);
  }, [follow, source, props.pollMs, guarded, getFilter, getWin, setWin]);

  useEffect(() => {
    const check = source.chainCheck();
    let timer: NodeJS.Timeout | undefined;
    const step = () => {
      const status = check.step(VERIFY_STEP);
      setChain(status);
      // A broken chain stays broken; an intact one is re-checked for rows appended since.
      if (status.result.ok) timer = setTimeout(step, status.caughtUp ? VERIFY_IDLE_MS : 0);
    };
    timer = setTimeout(step, 0);
    return () => clearTimeout(timer);
  }, [source]);

  // Reads state through the getters: several keys can arrive before React renders again.
  const onKey = (input: string, key: Key) => {
    const size = sizeRef.current;
    const mode = getMode();
    if (mode === 'filter') {
      if (key.escape) setMode('table');
      else if (key.return) {
        guarded(() => {
          const next = parseFilter(getDraft(), props.now());
          setWin(top(source, next, size));
          setFilter(next);
          setMode('table');
        });
      } else if (key.backspace || key.delete) setDraft(getDraft().slice(0, -1));
      else if (!key.ctrl && !key.meta && input) setDraft(getDraft() + input);
      return;
    }
    if (mode === 'help') {
      setMode('table');
      return;
    }
    if (mode === 'detail') {
      if (key.return || key.escape || input === 'q') setMode('table');
      return;
    }
    const filter = getFilter();
    const go = (fn: (w: Window) => Window) => guarded(() => setWin(fn(getWin())));
    if (input === 'q' || key.escape) exit();
    else if (key.downArrow || input === 'j') go((w) => move(source, filter, w, 1, size));
    else if (key.upArrow || input === 'k') go((w) => move(source, filter, w, -1, size));
    else if (key.pageDown || input === ' ') go((w) => move(source, filter, w, size, size));
    else if (key.pageUp || input === 'b') go((w) => move(source, filter, w, -size, size));
    else if (input === 'g' || key.home) go(() => top(source, filter, size));
    else if (input === 'G' || key.end) go(() => bottom(source, filter, size));
    else if (key.return && getWin().rows.length > 0) setMode('detail');
    else if (input === '?') setMode('help');
    else if (input === '/') {
      setDraft(formatFilter(filter));
      setMode('filter');
    } else if (input === 'f') {
      const on = !getFollow();
      setFollow(on);
      // Following starts from the newest row.
      if (on) go(() => top(source, filter, size));
    }
  };
  useInput((input, key) => {
    // Keys typed faster than they are read (a held `j`) reach us as one string, as a paste does:
    // outside the filter prompt each character is a key press of its own.
    if (getMode() === 'filter' || input.length <= 1 || key.ctrl || key.meta) onKey(input, key);
    else for (const char of input) onKey(char, key);
  });

  const selected = win.rows[win.cursor];
  return (
    <Box flexDirection="column" width={size.columns}>
      <Header path={props.path} stats={stats} chain={chain} filter={formatFilter(filter)} follow={follow} />
      {mode === 'detail' && selected ? (
        <Detail row={selected} height={pageSize} />
      ) : mode === 'help' ? (
        <Help height={pageSize} />
      ) : (
        <Table rows={win.rows} cursor={win.cursor} width={size.columns} height={pageSize} />
      )}
      {message ? (
        <Text color="red" wrap="truncate">
          {printable(message)}
        </Text>
      ) : null}
      {mode === 'filter' ? (
        <Text>
          /{printable(draft)}
          <Text inverse> </Text>
        </Text>
      ) : message ? null : (
        <Text dimColor wrap="truncate">
          {FOOTER}
        </Text>
      )}
    </Box>
  );
}

/** The terminal's size, updated on resize (SIGWINCH reaches the stream as 'resize'). */
function useTerminalSize(): { rows: number; columns: number } {
  const { stdout } = useStdout();
  const read = () => ({ rows: stdout.rows || 24, columns: stdout.columns || 80 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  });
  return size;
}

/**
 * State whose latest value can be read at once through the getter (for key and timer handlers,
 * which may run several times before React renders again), and as a value for rendering.
 */
function useSyncState<T>(initial: T): [() => T, (next: T) => void, T] {
  const [value, setValue] = useState(initial);
  const ref = useRef(value);
  const get = useCallback(() => ref.current, []);
  const set = useCallback((next: T) => {
    ref.current = next;
    setValue(() => next);
  }, []);
  return [get, set, value];
}
