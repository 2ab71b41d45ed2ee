/** `npx groundtruth <command>`: see `npx groundtruth --help`. */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.ts';
import { fail } from './context.ts';

const program = new Command('groundtruth')
  .description('Groundtruth server and tools. Reads env PORT, HOST, DATA_DIR (default ./data) and DATABASE_URL.')
  .showHelpAfterError();
for (const make of COMMANDS) program.addCommand(make());

program.parseAsync(process.argv).catch(fail);
