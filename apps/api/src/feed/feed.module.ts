import { Module } from '@nestjs/common';
import { Feed } from '@planledger/application';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import { FeedController } from './feed.controller';

@Module({
  controllers: [FeedController],
  // Access and Planning come from the global SecurityModule.
  providers: [{ provide: Feed, inject: [EVENT_STORE], useFactory: (store: EventStore) => new Feed(store) }],
})
export class FeedModule {}
