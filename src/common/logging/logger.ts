import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs (pino) on stderr, so stdout stays free for command output. */
export function createLogger(level: string = 'info', name = 'eran'): Logger {
  return pino({ name, level, base: undefined }, pino.destination(2));
}
