import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type Position } from '@planledger/event-store';

const SUMMARY_EVERY_MS = 10_000;

/**
 * Follows the global log from where it stands at start-up and reports what arrives. It is the
 * loop the projection runner and the job dispatcher hang off; it holds no checkpoint of its own.
 */
@Injectable()
export class LogFollower implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LogFollower.name);
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private seen = 0;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationBootstrap(): Promise<void> {
    const from = await this.store.headPosition();
    this.logger.log(`Following the event log from ${from ?? 'the start'}`);
    this.loop = this.follow(from);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
  }

  private async follow(after: Position | undefined): Promise<void> {
    let reportedAt = Date.now();
    let reportedSeen = 0;
    try {
      for await (const event of this.store.subscribe({ after, signal: this.stop.signal })) {
        this.seen += 1;
        this.logger.debug(`${event.type} on ${event.streamId}@${event.revision}`);
        if (Date.now() - reportedAt >= SUMMARY_EVERY_MS && this.seen > reportedSeen) {
          this.logger.log(`${this.seen - reportedSeen} events in the last ${Math.round((Date.now() - reportedAt) / 1000)} s (at ${event.position})`);
          reportedAt = Date.now();
          reportedSeen = this.seen;
        }
      }
    } catch (error) {
      if (!this.stop.signal.aborted) {
        this.logger.error(`Following the event log failed: ${(error as Error).message}`);
        // Without its subscription the worker is useless: exit non-zero so a supervisor restarts it.
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      }
    }
  }
}
