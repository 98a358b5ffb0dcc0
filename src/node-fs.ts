/**
 * node:fs for the modules every CLI command loads. `import … from 'node:fs'` in an ES module
 * builds node:fs's ES facade, which reads every export, and reading `fs.ReadStream` loads all of
 * node:stream: some 9 ms of each command's start (`node --cpu-prof`: fs `get ReadStream` under
 * `syncExports`). Required through CommonJS, only what is used is loaded.
 */
import { createRequire } from 'node:module';

export const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
