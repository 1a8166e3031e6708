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
  const config = (): string =>
    execFileSync(bin!, [...pre, '-f', join(root, 'docker-compose.yml'), 'config'], { encoding: 'utf8', cwd: root });

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
});

if (!compose) {
  process.stderr.write('docker-compose.yml check skipped: neither `docker compose` nor `docker-compose` is installed\n');
}
