import { ConfigError, loadConfig, type PlanLedgerConfig } from '@planledger/config';
import type { LogLevel } from '@nestjs/common';

/** Parses the environment or ends the process with the one-line reason (exit code 78, EX_CONFIG). */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): PlanLedgerConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's logger takes the list of enabled levels; LOG_LEVEL names the most verbose one. */
export function logLevels(level: PlanLedgerConfig['LOG_LEVEL']): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(level) + 1);
}

/** Grace period after SIGTERM before the process gives up waiting and exits non-zero. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * On SIGTERM or SIGINT: stop taking work, run every shutdown hook (close the store, Redis,
 * subscriptions), then exit 0. A hook that hangs past the grace period exits 1 instead.
 */
export function closeOnSignals(
  app: { close(): Promise<void> },
  name: string,
  logger: { log(message: string): void; error(message: string): void },
): void {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: ${name} is shutting down`);
    const force = setTimeout(() => {
      logger.error(`${name} did not shut down within ${SHUTDOWN_TIMEOUT_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    try {
      await app.close();
      logger.log(`${name} stopped`);
      process.exit(process.exitCode ?? 0);
    } catch (error) {
      logger.error(`${name} failed to shut down cleanly: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
