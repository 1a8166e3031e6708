import neo4j, { type BookmarkManager, type Driver, type ManagedTransaction, type RecordShape } from 'neo4j-driver';
import type { Neo4jConfig } from '../config/app-config';
import { CypherRegistry } from './cypher-registry';

export type QueryParams = Readonly<Record<string, unknown>>;

/**
 * What a failure means to a caller: `unavailable` (the server cannot be reached or is restarting:
 * retry later), `timeout` (the transaction ran past its time limit), `query` (anything else).
 */
export type GraphFailure = 'unavailable' | 'timeout' | 'query';

/** Codes of a database that is down, restarting or unreachable. */
const UNAVAILABLE_CODES = new Set([
  'ServiceUnavailable',
  'SessionExpired',
  'Neo.TransientError.General.DatabaseUnavailable',
  'Neo.ClientError.Database.DatabaseNotFound',
  // A transaction the server terminated while shutting down (found by bench:chaos: a purchase in
  // flight when Neo4j stopped was answered 500). Also raised for an operator's kill: retrying is right for both.
  'Neo.ClientError.Transaction.LockClientStopped',
  'Neo.ClientError.Transaction.Terminated',
]);
const TIMEOUT_CODES = new Set(['Neo.ClientError.Transaction.TransactionTimedOut', 'Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration']);
/**
 * The driver's code for failures it raises itself, before any server answered: connection
 * acquisition timed out, pool closed. The server's own errors always carry a Neo.* code.
 */
const DRIVER_LOCAL_CODE = 'N/A';

export function graphFailureOf(code: string): GraphFailure {
  // Transient errors are retried by executeRead/executeWrite; one that outlasts the retries is an outage.
  if (UNAVAILABLE_CODES.has(code) || code === DRIVER_LOCAL_CODE || code.startsWith('Neo.TransientError.')) return 'unavailable';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  return 'query';
}

/** A Neo4j failure with the server's status code kept, so callers map errors by code, not text. */
export class GraphError extends Error {
  readonly failure: GraphFailure;

  constructor(
    readonly query: string,
    readonly code: string,
    message: string,
  ) {
    super(`Cypher query "${query}" failed (${code}): ${message}`);
    this.name = 'GraphError';
    this.failure = graphFailureOf(code);
  }
}

export interface GraphClientOptions {
  /** Time limit of every transaction (0 = the server's default): bounds what one request can hold. */
  readonly transactionTimeoutMs?: number;
  /**
   * Chain every transaction of this client after everything it committed or read (one bookmark
   * manager for all sessions): the API's read-your-writes on a cluster. Off for the import
   * commands, whose bulk writer replaces the database files (the bookmarks would point past them).
   */
  readonly causal?: boolean;
}

export class GraphUnavailableError extends Error {
  constructor(uri: string, cause: string) {
    super(
      `cannot reach Neo4j at ${uri}: ${cause}. Start the local server with "npm run neo4j:start" ` +
        '(or "docker compose up -d neo4j"), or set NEO4J_URI / NEO4J_PASSWORD.',
    );
    this.name = 'GraphUnavailableError';
  }
}

/**
 * Owns the driver: created once, connectivity verified at start, closed on shutdown. Queries are
 * referred to by registry name only; results leave as plain objects of the declared shape, with
 * integers as JS numbers (ids in this system are strings, counts stay far below 2^53).
 *
 * With `causal`, every session shares one bookmark manager: each transaction starts after
 * everything this client has committed or read. On one server that is free (it already has it
 * all); on a cluster (`neo4j://` routing, reads on followers) it is what makes a replica read its
 * own writes, and read, after a change-log entry, at least the state that entry describes.
 */
export class GraphClient {
  private constructor(
    private readonly driver: Driver,
    readonly registry: CypherRegistry,
    private readonly database: string,
    private readonly txConfig: { timeout?: number },
    private readonly bookmarkManager: BookmarkManager | null,
  ) {}

  static async connect(config: Neo4jConfig, registry: CypherRegistry = CypherRegistry.load(), options: GraphClientOptions = {}): Promise<GraphClient> {
    const auth = config.password === '' ? undefined : neo4j.auth.basic(config.user, config.password);
    // The driver's defaults (30 s to connect, 60 s to acquire, 30 s of retries) turn a Neo4j
    // restart into requests that hang for half a minute; these fail fast and the API answers 503.
    const driver = neo4j.driver(config.uri, auth, {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: 50,
      connectionTimeout: config.connectTimeoutMs,
      connectionAcquisitionTimeout: config.acquisitionTimeoutMs,
      maxTransactionRetryTime: config.maxRetryTimeMs,
    });
    try {
      await driver.verifyConnectivity({ database: config.database });
    } catch (error) {
      await driver.close();
      throw new GraphUnavailableError(config.uri, error instanceof Error ? error.message : String(error));
    }
    const timeout = options.transactionTimeoutMs ?? 0;
    return new GraphClient(driver, registry, config.database, timeout > 0 ? { timeout } : {}, options.causal === true ? neo4j.bookmarkManager() : null);
  }

  async read<Shape extends RecordShape>(name: string, params: QueryParams = {}): Promise<Shape[]> {
    return this.transact('READ', name, (tx) => runIn<Shape>(tx, this.registry.get(name), params));
  }

  async write<Shape extends RecordShape>(name: string, params: QueryParams = {}): Promise<Shape[]> {
    return this.transact('WRITE', name, (tx) => runIn<Shape>(tx, this.registry.get(name), params));
  }

  /**
   * Several named queries in ONE write transaction, in order: all of them land, or none. Returns
   * each step's records (a step that takes locks can report what it found under them).
   */
  async writeAll(steps: ReadonlyArray<{ name: string; params: QueryParams }>): Promise<RecordShape[][]> {
    const label = steps.map((s) => s.name).join('+');
    return this.transact('WRITE', label, async (tx) => {
      const results: RecordShape[][] = [];
      for (const step of steps) results.push(await runIn(tx, this.registry.get(step.name), step.params));
      return results;
    });
  }

  /**
   * Auto-commit: needed for `CALL { } IN TRANSACTIONS` and schema statements, and one round trip
   * instead of three for a single read. `types` fills a query's relationship-type markers
   * (CypherRegistry.typed).
   */
  async autoCommit<Shape extends RecordShape>(name: string, params: QueryParams = {}, types?: Readonly<Record<string, string>>): Promise<Shape[]> {
    return this.runAutoCommit<Shape>('WRITE', name, params, types);
  }

  /**
   * A read-only statement in auto-commit (one round trip): routed to a reader in a cluster, as
   * `read` is, but without its transaction retries; for reads on a request's critical path.
   */
  async autoCommitRead<Shape extends RecordShape>(name: string, params: QueryParams = {}, types?: Readonly<Record<string, string>>): Promise<Shape[]> {
    return this.runAutoCommit<Shape>('READ', name, params, types);
  }

  private async runAutoCommit<Shape extends RecordShape>(
    mode: 'READ' | 'WRITE',
    name: string,
    params: QueryParams,
    types: Readonly<Record<string, string>> | undefined,
  ): Promise<Shape[]> {
    const session = this.session(mode);
    try {
      const query = types === undefined ? this.registry.get(name) : this.registry.typed(name, types);
      const result = await session.run<Shape>(query, params, this.txConfig);
      return result.records.map((r) => r.toObject());
    } catch (error) {
      throw toGraphError(name, error);
    } finally {
      await session.close();
    }
  }

  /** Compiles the query without running it: proves a file is valid Cypher against this server. */
  async explain(name: string): Promise<void> {
    const session = this.session();
    try {
      // A typed query compiles with any type in its markers (an unknown type is only a notification).
      const markers = this.registry.typeMarkers(name);
      const query = markers.length === 0 ? this.registry.get(name) : this.registry.typed(name, Object.fromEntries(markers.map((m) => [m, 'EXPLAIN_CHECK'])));
      await session.run(`EXPLAIN ${query}`);
    } catch (error) {
      throw toGraphError(name, error);
    } finally {
      await session.close();
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.driver.verifyConnectivity({ database: this.database });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  /** The bookmarks every new transaction of a causal client waits for (the latest state it has seen). */
  async bookmarks(): Promise<string[]> {
    return this.bookmarkManager === null ? [] : [...(await this.bookmarkManager.getBookmarks())];
  }

  private session(mode: 'READ' | 'WRITE' = 'WRITE') {
    return this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      ...(this.bookmarkManager === null ? {} : { bookmarkManager: this.bookmarkManager }),
    });
  }

  private async transact<T>(mode: 'READ' | 'WRITE', name: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.session();
    try {
      return mode === 'READ' ? await session.executeRead(work, this.txConfig) : await session.executeWrite(work, this.txConfig);
    } catch (error) {
      throw toGraphError(name, error);
    } finally {
      await session.close();
    }
  }
}

async function runIn<Shape extends RecordShape>(tx: ManagedTransaction, query: string, params: QueryParams): Promise<Shape[]> {
  const result = await tx.run<Shape>(query, params);
  return result.records.map((r) => r.toObject());
}

function toGraphError(name: string, error: unknown): Error {
  if (error instanceof GraphError) return error;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return new GraphError(name, typeof code === 'string' ? code : 'Unknown', error.message);
  }
  return new GraphError(name, 'Unknown', String(error));
}

/** JS numbers travel as floats; LIMIT, SKIP and vector k need a Cypher integer. */
export function cypherInt(value: number): unknown {
  return neo4j.int(value);
}
