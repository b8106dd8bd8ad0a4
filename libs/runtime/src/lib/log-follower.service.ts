import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type Position } from '@planledger/event-store';
import { SupervisedLoops } from './loops/supervised-loops';

const SUMMARY_EVERY_MS = 10_000;

/**
 * Follows the global log from where it stands at start-up and reports what arrives. It is the
 * loop the projection runner and the job dispatcher hang off; it holds no checkpoint of its own.
 * When the store fails it resumes after the last event it saw (the loops' supervisor retries it).
 */
@Injectable()
export class LogFollower implements OnApplicationBootstrap {
  private readonly logger = new Logger(LogFollower.name);
  private seen = 0;
  private after: Position | undefined;
  private started = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly loops: SupervisedLoops,
  ) {}

  onApplicationBootstrap(): void {
    void this.loops.start('log follower', (context) => this.follow(context.signal, context.progress));
  }

  private async follow(signal: AbortSignal, progress: () => void): Promise<void> {
    // The head doubles as the probe that the store answers again after a failure.
    const head = await this.store.headPosition();
    if (!this.started) {
      this.after = head;
      this.started = true;
      this.logger.log(`Following the event log from ${this.after ?? 'the start'}`);
    }
    progress();
    let reportedAt = Date.now();
    let reportedSeen = this.seen;
    for await (const event of this.store.subscribe({ after: this.after, signal })) {
      this.seen += 1;
      this.after = event.position;
      progress();
      this.logger.debug(`${event.type} on ${event.streamId}@${event.revision}`);
      if (Date.now() - reportedAt >= SUMMARY_EVERY_MS && this.seen > reportedSeen) {
        this.logger.log(
          `${this.seen - reportedSeen} events in the last ${Math.round((Date.now() - reportedAt) / 1000)} s (at ${event.position})`,
        );
        reportedAt = Date.now();
        reportedSeen = this.seen;
      }
    }
  }
}
