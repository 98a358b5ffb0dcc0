/** Number formats shared by the BENCH.md sections, so every table reads alike. */
export const mark = (ok: boolean) => (ok ? '✅' : '❌');
export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);
export const fmtRatio = (r: number) => `${r.toFixed(r < 10 ? 2 : 1)}×`;
export const fmtMiB = (kib: number) => (kib / 1024).toFixed(1);
