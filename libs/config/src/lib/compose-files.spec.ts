import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema, loadConfig } from './config.schema';

// No Docker engine runs here: the compose files are checked by reading them, against the one
// configuration schema every PlanLedger process parses at start-up.
const infra = join(__dirname, '..', '..', '..', '..', 'infra');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  depends_on?: Record<string, unknown>;
  healthcheck?: { test: string[] };
  restart?: string;
}

function read(file: string): Record<string, Service> {
  // Compose resolves YAML merge keys (`<<: *env`), so the reading does too.
  const compose = parse(readFileSync(join(infra, file), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  return compose.services;
}

/** The environment a service would get, with `${VAR:?…}` and `${VAR:-default}` given sample values. */
function environmentOf(service: Service): Record<string, string> {
  const samples: Record<string, string> = { AUTH_JWT_SECRET: 's'.repeat(40), POSTGRES_PASSWORD: 'pw' };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(service.environment ?? {})) {
    env[name] = String(value).replace(
      /\$\{(\w+)(?::[?-]([^}]*))?\}/g,
      (_, variable: string, fallback?: string) => samples[variable] ?? fallback ?? '',
    );
  }
  return env;
}

describe.each(['compose.yaml', 'compose.kurrentdb.yaml'])('infra/%s', (file) => {
  const services = read(file);

  it('gives the API and the worker only settings the configuration schema knows, with values it accepts', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of ['api', 'worker']) {
      const env = environmentOf(services[name]);
      expect(Object.keys(env).filter((key) => !known.has(key))).toEqual([]);
      expect(() => loadConfig(env)).not.toThrow();
    }
  });

  it('points the API and the worker at the services of the file, and starts them after those', () => {
    for (const name of ['api', 'worker']) {
      const config = loadConfig(environmentOf(services[name]));
      const store = config.eventStore;
      const storeHost =
        store.kind === 'kurrentdb' ? store.hosts[0].host : store.kind === 'postgres' ? new URL(store.url).hostname : undefined;
      expect(Object.keys(services)).toContain(storeHost);
      expect(Object.keys(services)).toContain(new URL(config.REDIS_URL).hostname);
      expect(Object.keys(services[name].depends_on ?? {}).sort()).toEqual([storeHost, 'redis'].sort());
      expect(existsSync(join(infra, services[name].build?.context ?? '', services[name].build?.dockerfile ?? ''))).toBe(true);
    }
    expect(services['worker'].command).toEqual(['node', 'apps/worker/main.js']);
  });
});

describe('infra/compose.kurrentdb.yaml', () => {
  const services = read('compose.kurrentdb.yaml');

  it('runs a pinned KurrentDB 26.1 or later, in insecure mode for local use, on port 2113, with a health check', () => {
    const { image, environment, ports, healthcheck } = services['kurrentdb'];
    const version = /^docker\.kurrent\.io\/kurrent-(latest|lts)\/kurrentdb:(\d+)\.(\d+)\.(\d+)$/.exec(image ?? '');
    expect(version).not.toBeNull();
    const [major, minor] = [Number(version?.[2]), Number(version?.[3])];
    expect(major > 26 || (major === 26 && minor >= 1)).toBe(true);
    expect(environment).toMatchObject({ KURRENTDB_INSECURE: 'true', KURRENTDB_NODE_PORT: '2113', KURRENTDB_CLUSTER_SIZE: '1' });
    expect(ports).toEqual(['2113:2113']);
    expect(healthcheck?.test.join(' ')).toContain('http://localhost:2113/health/live');
  });

  it('connects without TLS (the server is insecure), runs projections in the API and the alert loops once, in the worker', () => {
    const api = loadConfig(environmentOf(services['api']));
    const worker = loadConfig(environmentOf(services['worker']));
    for (const config of [api, worker])
      expect(config.eventStore).toMatchObject({ kind: 'kurrentdb', tls: false, hosts: [{ host: 'kurrentdb', port: 2113 }] });
    expect(api).toMatchObject({ WORKER_IN_PROCESS: true, ALERTS_ENABLED: false });
    expect(worker.ALERTS_ENABLED).toBe(true);
  });
});

describe('infra/compose.yaml restart policy', () => {
  const services = read('compose.yaml');

  it('restarts the API and the worker when they die and checks them on /health/live, the worker on its health port', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name].restart).toBe('unless-stopped');
      const port =
        name === 'api' ? loadConfig(environmentOf(services[name])).PORT : loadConfig(environmentOf(services[name])).WORKER_HEALTH_PORT;
      expect(services[name].healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/health/live`);
    }
  });
});
