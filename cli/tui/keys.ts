/** The keys of the audit TUI, shown by `?` and summarized in the footer. */
export const KEYS: readonly (readonly [string, string])[] = [
  ['↑ ↓  k j', 'move the selection'],
  ['PgUp PgDn  b space', 'previous / next page'],
  ['g  G  Home  End', 'newest / oldest event'],
  ['Enter', 'details of the selected event (Enter or Esc to go back)'],
  ['/', 'filter: agent:NAME user:HUMAN decision:deny action:A since:1h (empty clears)'],
  ['f', 'follow: show new events as they are committed'],
  ['?', 'this help'],
  ['q  Esc', 'quit'],
];

export const FOOTER =
  '↑↓ move · PgUp/PgDn page · g/G ends · Enter details · / filter · f follow · ? keys · q quit';
