import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ImportProgress, ImportReport } from '@planledger/application';
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import { IMPORT_JOB_STORE } from './imports.tokens';
import type { ImportJob, ImportJobStore } from './import-job-store';

export type { ImportJob } from './import-job-store';

/** How often a running job's process says it is alive (and writes its progress). */
export const IMPORT_JOB_HEARTBEAT_MS = 2_000;
/** A running job not heard of for this long was cut off with its process: it reads as interrupted. */
export const IMPORT_JOB_STALE_MS = 10_000;
/** Jobs are kept for polling this long after their last change. */
const KEPT_MS = 7 * 86_400_000;

/**
 * The imports this API process runs, kept in the job store so that any API process answers for
 * them and a restart does not lose them. A job whose process stopped reads as `interrupted`;
 * posting the file again resumes it (rows already written are found and skipped).
 */
@Injectable()
export class ImportJobs {
  private readonly logger = new Logger('ImportJobs');
  private readonly running = new Map<string, { job: ImportJob; work: Promise<unknown> }>();

  constructor(@Inject(IMPORT_JOB_STORE) private readonly store: ImportJobStore) {}

  /** Keeps the job, then runs it; `run` reports its progress, which is kept on each new phase and every heartbeat. */
  async start(
    projectId: string,
    fileName: string,
    actor: string,
    run: (onProgress: (progress: ImportProgress) => void) => Promise<ImportReport>,
  ): Promise<ImportJob> {
    const job: ImportJob = {
      jobId: uuidv7(),
      projectId,
      fileName,
      actor,
      status: 'running',
      progress: { phase: 'reading', done: 0, total: 0 },
      startedAt: new Date().toISOString(),
      finishedAt: null,
      report: null,
      error: null,
    };
    // Kept before it is answered: the Location the client polls exists on every API process.
    await this.store.save(job, new Date());
    void this.store.purge(new Date(Date.now() - KEPT_MS)).catch(() => undefined);
    let saving: Promise<void> = Promise.resolve();
    const keep = () => {
      saving = saving
        .then(() => this.store.save(job, new Date()))
        .catch((error: Error) => this.logger.warn(`import job ${job.jobId}: ${error.message}`));
      return saving;
    };
    const heartbeat = setInterval(() => void keep(), IMPORT_JOB_HEARTBEAT_MS);
    heartbeat.unref();
    const onProgress = (progress: ImportProgress) => {
      const phaseChanged = progress.phase !== job.progress.phase;
      job.progress = progress;
      if (phaseChanged) void keep();
    };
    const work = run(onProgress)
      .then((report) => Object.assign(job, { status: report.ok ? 'succeeded' : 'failed', report }))
      .catch((error: Error & { code?: string }) =>
        Object.assign(job, { status: 'failed', error: { code: error.code ?? 'IMPORT_FAILED', message: error.message } }),
      )
      .finally(async () => {
        clearInterval(heartbeat);
        job.finishedAt = new Date().toISOString();
        await keep();
        this.running.delete(job.jobId);
      });
    this.running.set(job.jobId, { job, work });
    return job;
  }

  /** The job as this process knows it (running here) or as kept (another process, or an earlier one). */
  async get(projectId: string, jobId: string): Promise<ImportJob | undefined> {
    // Job ids are UUIDs: anything else names no job (and must not reach the table's uuid column).
    if (!isUuid(jobId)) return undefined;
    const here = this.running.get(jobId)?.job;
    if (here) return here.projectId === projectId ? here : undefined;
    const kept = await this.store.find(jobId);
    if (!kept || kept.job.projectId !== projectId) return undefined;
    const { job, updatedAt } = kept;
    if (job.status === 'running' && Date.now() - updatedAt.getTime() > IMPORT_JOB_STALE_MS)
      return {
        ...job,
        status: 'interrupted',
        error: {
          code: 'IMPORT_INTERRUPTED',
          message: `the process running this import stopped at ${job.progress.phase} ${job.progress.done}/${job.progress.total}; post the file again to resume it (rows already written are skipped)`,
        },
      };
    return job;
  }

  /** Waits for the imports still running (on shutdown: an acknowledged job is not cut off). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()].map((r) => r.work));
  }
}
