import type { Command } from 'commander';
import { NETWORK_DEFAULTS } from './networks/build-networks';
import { buildCli, topMValue } from './cli';

function importCommand(): Command {
  const command = buildCli().commands.find((c) => c.name() === 'import');
  if (!command) throw new Error('eran has no import command');
  return command;
}

function parsedTopM(args: string[]): number | null {
  const command = importCommand();
  command.parseOptions(['--format', 'synthetic', ...args]);
  return topMValue(command.opts<{ topM: number | 'none' }>().topM);
}

describe('eran import --top-m', () => {
  it('keeps the default cap when the option is absent', () => {
    expect(parsedTopM([])).toBe(NETWORK_DEFAULTS.topM);
  });

  it('reads a number as the cap', () => {
    expect(parsedTopM(['--top-m', '40'])).toBe(40);
  });

  it('reads none as no cap at all (null), not as an empty string', () => {
    expect(parsedTopM(['--top-m', 'none'])).toBeNull();
  });
});
