/**
 * Control of the Neo4j that scripts/neo4j.sh runs on this machine: status, stop, start and the
 * bulk importer (neo4j-admin database import full, from the launcher's Maven jars). Every action
 * goes through the script, the one place that knows how the server is laid out on disk.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalNeo4jConfig } from '../config/app-config';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'neo4j.sh');

export class LocalNeo4jError extends Error {
  constructor(command: string, code: number | null, output: string) {
    super(`scripts/neo4j.sh ${command} failed (exit ${code}): ${output.trim().split('\n').slice(-5).join(' | ')}`);
    this.name = 'LocalNeo4jError';
  }
}

export class LocalNeo4j {
  constructor(private readonly config: LocalNeo4jConfig) {}

  get dataDir(): string {
    return this.config.dataDir;
  }

  /**
   * True when this launcher's server is running and is the one `uri` reaches: a loopback URI on
   * its Bolt port, and its start-up line (launcher.log) names that port.
   */
  async serves(uri: string): Promise<boolean> {
    const match = /^(?:bolt|neo4j):\/\/(127\.0\.0\.1|localhost)(?::(\d+))?\/?$/.exec(uri);
    if (match === null || Number(match[2] ?? 7687) !== this.config.boltPort) return false;
    const status = await this.run(['status']);
    if (status.code !== 0) return false;
    const log = await readFile(join(this.config.dataDir, 'launcher.log'), 'utf8').catch(() => '');
    return log.includes(`READY bolt://127.0.0.1:${this.config.boltPort} `);
  }

  async stop(): Promise<void> {
    await this.must(['stop']);
  }

  async start(): Promise<void> {
    await this.must(['start']);
  }

  /** Runs the bulk importer on the stopped server; `onOutput` sees its progress output as it comes. */
  async bulkImport(args: readonly string[], onOutput: (text: string) => void = () => undefined): Promise<string> {
    return this.must(['import', ...args], onOutput);
  }

  private async must(args: readonly string[], onOutput?: (text: string) => void): Promise<string> {
    const result = await this.run(args, onOutput);
    if (result.code !== 0) throw new LocalNeo4jError(args[0]!, result.code, result.output);
    return result.output;
  }

  private run(args: readonly string[], onOutput?: (text: string) => void): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [SCRIPT, ...args], { env: this.config.scriptEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const collect = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        // Keep the tail only: the importer prints a progress line per percent and stage.
        output = (output + text).slice(-20_000);
        onOutput?.(text);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, output }));
    });
  }
}
