/** What every CLI command shares: the parsed environment and an opened store. */
import { parseEnv, EnvError, type Env } from '../env.ts';
import { openStore, type Store } from '../store/open.ts';
import { terminalLines } from './terminal-text.ts';

export async function withStore<T>(fn: (store: Store, env: Env) => Promise<T>): Promise<T> {
  const env = parseEnv();
  const store = await openStore({ dataDir: env.DATA_DIR, databaseUrl: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE });
  try {
    return await fn(store, env);
  } finally {
    await store.close();
  }
}

/** Prints one clear line for expected failures (bad env, newer database, bad arguments) and exits 1. */
export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  // Messages can quote stored text (ids, names): no terminal controls (terminal-text.ts).
  process.stderr.write(`groundtruth: ${terminalLines(message)}\n`);
  if (!(err instanceof EnvError) && process.env.GROUNDTRUTH_DEBUG && err instanceof Error) process.stderr.write(`${terminalLines(err.stack)}\n`);
  process.exit(1);
}
