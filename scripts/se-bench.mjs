#!/usr/bin/env node
// `se-bench` entry point: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { mainThenClose } = await import('../harness/cli/main.ts');
process.exitCode = await mainThenClose(process.argv.slice(2), process.argv[1]);
