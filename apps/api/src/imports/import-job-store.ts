import type { ImportProgress, ImportReport } from '@planledger/application';
import { migrate, type Migration, type SqlClient } from '@planledger/event-store';

/** An import the API runs; its state is polled with GET /projects/{id}/imports/{jobId}. */
export interface ImportJob {
  jobId: string;
  projectId: string;
  fileName: string;
  actor: string;
  /** `interrupted`: the process running it stopped before it ended; posting the file again resumes it. */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  progress: ImportProgress;
  startedAt: string;
  finishedAt: string | null;
  report: ImportReport | null;
  error: { code: string; message: string } | null;
}

/** A job as kept, with when its process last said it was alive. */
export interface KeptImportJob {
  job: ImportJob;
  updatedAt: Date;
}

/** Where import jobs are kept: beside the events in SQL (any API process sees them, a restart keeps them), or in memory. */
export interface ImportJobStore {
  readonly durable: boolean;
  save(job: ImportJob, at: Date): Promise<void>;
  find(jobId: string): Promise<KeptImportJob | undefined>;
  /** Forgets the jobs not updated since `before`; answers how many. */
  purge(before: Date): Promise<number>;
}

/** The API's own tables; versions from 2001 so they never meet the store's (1…) or the read side's (1001…). */
export const IMPORT_JOB_MIGRATIONS: readonly Migration[] = [
  {
    version: 2001,
    name: 'spreadsheet import jobs',
    sql: /* sql */ `
-- A job's state is not an event: it says how far a process got, and is dropped after a while.
CREATE TABLE pl_import_jobs (
  job_id     uuid PRIMARY KEY,
  project_id text NOT NULL,
  doc        jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX pl_import_jobs_updated ON pl_import_jobs (updated_at);
`,
  },
];

/** PostgreSQL or PGlite, in the database that holds the events. */
export class SqlImportJobStore implements ImportJobStore {
  readonly durable = true;

  private constructor(private readonly sql: SqlClient) {}

  static async open(sql: SqlClient): Promise<SqlImportJobStore> {
    await migrate(sql, IMPORT_JOB_MIGRATIONS);
    return new SqlImportJobStore(sql);
  }

  async save(job: ImportJob, at: Date): Promise<void> {
    await this.sql.query(
      `INSERT INTO pl_import_jobs (job_id, project_id, doc, updated_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (job_id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = EXCLUDED.updated_at`,
      [job.jobId, job.projectId, JSON.stringify(job), at],
      'pl_import_job_save',
    );
  }

  async find(jobId: string): Promise<KeptImportJob | undefined> {
    const rows = await this.sql.query<{ doc: ImportJob | string; updated_at: Date | string }>(
      'SELECT doc, updated_at FROM pl_import_jobs WHERE job_id = $1',
      [jobId],
      'pl_import_job_find',
    );
    const row = rows[0];
    if (!row) return undefined;
    return { job: typeof row.doc === 'string' ? (JSON.parse(row.doc) as ImportJob) : row.doc, updatedAt: new Date(row.updated_at) };
  }

  async purge(before: Date): Promise<number> {
    return (await this.sql.query('DELETE FROM pl_import_jobs WHERE updated_at < $1 RETURNING job_id', [before])).length;
  }
}

/** The in-memory event store (tests) and KurrentDB, which has no tables: jobs end with the process. */
export class MemoryImportJobStore implements ImportJobStore {
  readonly durable = false;
  private readonly jobs = new Map<string, KeptImportJob>();

  async save(job: ImportJob, at: Date): Promise<void> {
    this.jobs.set(job.jobId, { job: structuredClone(job), updatedAt: at });
  }

  async find(jobId: string): Promise<KeptImportJob | undefined> {
    const kept = this.jobs.get(jobId);
    return kept && { job: structuredClone(kept.job), updatedAt: kept.updatedAt };
  }

  async purge(before: Date): Promise<number> {
    let n = 0;
    for (const [id, kept] of this.jobs)
      if (kept.updatedAt < before) {
        this.jobs.delete(id);
        n++;
      }
    return n;
  }
}
