import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { Planning, Progress, SpreadsheetImports, WorkbookExport } from '@planledger/application';
import { EVENT_STORE, sqlClientOf, type EventStore } from '@planledger/event-store';
import type { ReadModelStore } from '@planledger/projections';
import { READ_MODELS } from '@planledger/runtime';
import { MemoryImportJobStore, SqlImportJobStore, type ImportJobStore } from './import-job-store';
import { ImportJobs } from './import-jobs';
import { IMPORT_JOB_STORE } from './imports.tokens';
import { ImportsController } from './imports.controller';

@Module({
  controllers: [ImportsController],
  providers: [
    {
      provide: IMPORT_JOB_STORE,
      inject: [EVENT_STORE],
      // Beside the events when they are in SQL, so every API process sees every job; in memory otherwise.
      useFactory: async (store: EventStore): Promise<ImportJobStore> => {
        const sql = sqlClientOf(store);
        return sql ? SqlImportJobStore.open(sql) : new MemoryImportJobStore();
      },
    },
    ImportJobs,
    { provide: SpreadsheetImports, inject: [EVENT_STORE], useFactory: (store: EventStore) => new SpreadsheetImports(store) },
    {
      provide: WorkbookExport,
      inject: [EVENT_STORE, Planning, READ_MODELS],
      // The same Progress as GET /projects/{id}/progress: the same read model, the same figures.
      useFactory: (store: EventStore, planning: Planning, models: ReadModelStore) =>
        new WorkbookExport(store, planning, new Progress(models, store)),
    },
  ],
})
export class ImportsModule implements OnApplicationShutdown {
  constructor(private readonly jobs: ImportJobs) {}

  async onApplicationShutdown(): Promise<void> {
    await this.jobs.drain();
  }
}
