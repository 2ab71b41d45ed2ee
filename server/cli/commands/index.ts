/** Every CLI command, one module each. Add a command by adding its factory here. */
import type { Command } from 'commander';
import { backupCommand } from './backup.ts';
import { eraseRaterCommand } from './erase-rater.ts';
import { purgeCommand } from './purge.ts';
import { serveCommand } from './serve.ts';
import { tokenCommand } from './token.ts';

export const COMMANDS: (() => Command)[] = [serveCommand, tokenCommand, purgeCommand, eraseRaterCommand, backupCommand];
