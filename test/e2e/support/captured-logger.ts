import pino from 'pino';
import type { Logger } from '../../../src/common/logging/logger';

export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly [key: string]: unknown;
}

/** A pino logger whose lines are kept in memory, so a test can assert what the server logged. */
export function capturedLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level, base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

/** pino's numeric level of `error`. */
export const ERROR_LEVEL = 50;
