import { Module } from '@nestjs/common';
import { LogFollower } from './log-follower.service';
import { ProjectionsService } from './projections.service';

/**
 * The worker's background loops. `apps/worker` runs them; on the embedded store, which one
 * process opens at a time, the API runs them in-process instead (WORKER_IN_PROCESS).
 */
@Module({ providers: [LogFollower, ProjectionsService], exports: [LogFollower] })
export class WorkerLoopsModule {}
