/** A progress bar on stderr, only when stderr is a terminal (never in pipes, logs or CI). */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number): void;
  update(value: number): void;
  stop(): void;
}

export function progressBar(label: string, unit = 'rows'): Progress {
  if (!process.stderr.isTTY) return { start() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total) {
      bar.start(total, 0);
      started = true;
    },
    update(value) {
      if (started) bar.update(value);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
