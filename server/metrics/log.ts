/**
 * The server's structured log (issue 18): JSON lines through pino, one per request (http.ts) and
 * per ops event; pretty lines when stdout is a terminal. `LOG_LEVEL` (silent, error, info, debug).
 * Never pass a token, cookie, secret, URL query or page text: the fields logged are fixed
 * (request id, method, route template, status, duration, workspace id) or ops messages.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogLevel = 'silent' | 'error' | 'info' | 'debug';

export function createLogger(options: { level?: LogLevel; stream?: DestinationStream; pretty?: boolean } = {}): Logger {
  // Under vitest the default is silent (tests capture lines with their own logger, log.test.ts).
  const level = options.level ?? ((process.env.LOG_LEVEL as LogLevel | undefined) || (process.env.VITEST ? 'silent' : 'info'));
  const usePretty = options.pretty ?? (options.stream === undefined && process.stdout.isTTY === true);
  const stream = options.stream ?? (usePretty ? pretty({ colorize: true, sync: true }) : pino.destination({ dest: 1, sync: false }));
  return pino(
    {
      level,
      base: { service: 'groundtruth' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: should a caller ever pass these, they are replaced.
      redact: { paths: ['authorization', 'cookie', 'token', 'secret', '*.authorization', '*.cookie', '*.token', '*.secret', 'headers'], censor: '[redacted]' },
    },
    stream,
  );
}

let current: Logger | undefined;

/** The process's logger (created on first use from LOG_LEVEL and stdout). */
export function logger(): Logger {
  current ??= createLogger();
  return current;
}

/** Replaces the process's logger (serve at start-up; tests capture lines). */
export function setLogger(next: Logger): void {
  current = next;
}
