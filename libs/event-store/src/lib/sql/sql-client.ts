/** The little the SQL event store needs from a driver; `pg` and PGlite each provide it. */
export interface SqlClient {
  /** `name` asks the driver to prepare the statement once per connection, where it can. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[], name?: string): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
  /** Runs `fn` on one dedicated connection (advisory locks, multi-statement transactions). */
  withConnection<T>(fn: (client: Pick<SqlClient, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. Nothing
   * else runs inside it, even on PGlite's single connection.
   */
  transaction<T>(fn: (tx: Pick<SqlClient, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The fields this store reads from a driver error (`pg` and PGlite both expose them). */
export interface SqlError {
  code?: string;
  detail?: string;
  constraint?: string;
  message: string;
}

export function asSqlError(error: unknown): SqlError | undefined {
  return error !== null && typeof error === 'object' && 'message' in error ? (error as SqlError) : undefined;
}
