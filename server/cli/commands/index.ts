/** Every CLI command, one module each. Add a command by adding its factory here. */
import type { Command } from 'commander';
import { backupCommand } from './backup.ts';
import { eraseRaterCommand } from './erase-rater.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { purgeCommand } from './purge.ts';
import { reviewCommand } from './review.ts';
import { serveCommand } from './serve.ts';
import { statsCommand } from './stats.ts';
import { tokenCommand } from './token.ts';
import { trainingCommand } from './training.ts';

export const COMMANDS: (() => Command)[] = [serveCommand, tokenCommand, purgeCommand, eraseRaterCommand, backupCommand, exportCommand, importCommand, statsCommand, reviewCommand, trainingCommand];
