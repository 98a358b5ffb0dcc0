/** Public door of the exec sandbox: bubblewrap's command line, and whether this machine can run it. */
export { busPath, type SandboxFacts, type SandboxPlan, sandboxPlan } from './plan.js';
export { onPath, probeSandbox, type SandboxSupport } from './probe.js';
