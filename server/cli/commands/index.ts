/** Every CLI command, one module each. Add a command by adding its factory here. */
import type { Command } from 'commander';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';

export const COMMANDS: (() => Command)[] = [serveCommand, tokenCommand];
