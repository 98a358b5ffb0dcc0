#!/usr/bin/env node
/**
 * `git-credential-agentid get|store|erase`: the bin git runs as `credential.helper = agentid`.
 * Everything happens in cli/git-credential/; this file only hands over the arguments.
 */
import { gitCredentialMain } from '../git-credential/entry.js';

process.exitCode = await gitCredentialMain(process.argv.slice(2));
