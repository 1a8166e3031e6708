import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * docker-compose.yml cannot run here (no Docker engine), but the compose CLI validates it without
 * one. CI installs docker-compose so this check always runs there.
 */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return undefined;
}

const compose = composeCommand();
const root = join(__dirname, '..', '..');

(compose ? describe : describe.skip)('docker-compose.yml', () => {
  const [bin, ...pre] = compose ?? ['docker'];
  const keys = { WRITER_API_KEYS: 'w'.repeat(40), ADMIN_API_KEYS: 'a'.repeat(40) };
  const config = (env: NodeJS.ProcessEnv = { ...process.env, ...keys }): string =>
    execFileSync(bin!, [...pre, '-f', join(root, 'docker-compose.yml'), 'config'], { encoding: 'utf8', cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });

  it('is accepted by `compose config`', () => {
    expect(config()).toContain('neo4j:5.26-community');
  });

  it('publishes Bolt and HTTP, keeps data in a volume, health-checks Neo4j and starts the API after it', () => {
    const text = config();
    expect(text).toMatch(/7687/);
    expect(text).toMatch(/7474/);
    expect(text).toMatch(/neo4j-data/);
    expect(text).toMatch(/healthcheck/);
    expect(text).toMatch(/service_healthy/);
    expect(text).toMatch(/bolt:\/\/neo4j:7687/);
  });

  it('scales the API to several replicas behind nginx, with a training worker sharing their checkpoint volume', () => {
    const text = config();
    const service = (name: string): string => {
      const start = text.indexOf(`\n  ${name}:\n`);
      expect(start).toBeGreaterThan(-1);
      const next = text.slice(start + 1).search(/\n {2}[a-z-]+:\n/);
      return next === -1 ? text.slice(start) : text.slice(start, start + 1 + next);
    };
    const api = service('api');
    expect(api).toMatch(/replicas: 3/);
    expect(api).toMatch(/TRAINING_MODE: worker/);
    expect(api).not.toMatch(/published: 3000/);
    expect(api).toMatch(/checkpoints:\/app\/checkpoints/);
    const worker = service('worker');
    expect(worker).toMatch(/- worker/);
    expect(worker).toMatch(/checkpoints:\/app\/checkpoints/);
    expect(worker).toMatch(/CHECKPOINT_DIR: \/app\/checkpoints/);
    const proxy = service('proxy');
    expect(proxy).toMatch(/image: nginx:1\.27-alpine/);
    expect(proxy).toMatch(/published: ["']?3000/);
    expect(proxy).toMatch(/nginx\.conf/);
    expect(config({ ...process.env, ...keys, API_REPLICAS: '5' })).toMatch(/replicas: 5/);
  });

  it('ships no API key: it refuses to configure the API until the operator sets both', () => {
    const env = { ...process.env };
    delete env.WRITER_API_KEYS;
    delete env.ADMIN_API_KEYS;
    expect(() => config(env)).toThrow(/API_KEYS/);
    expect(config()).not.toMatch(/change-me/);
  });
});

if (!compose) {
  process.stderr.write('docker-compose.yml check skipped: neither `docker compose` nor `docker-compose` is installed\n');
}
