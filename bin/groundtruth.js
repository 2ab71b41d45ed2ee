#!/usr/bin/env node
// The `groundtruth` command. Runs the TypeScript sources through tsx, so there is no build step
// between a checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/index.ts');
