import { Controller, Get, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Planning, Progress, todayIn } from '@planledger/application';
import { parseEvent } from '@planledger/contracts';
import { LastWrites } from '../http/last-writes';
import type { AuthenticatedRequest } from '../security/principal';
import { ProgressQuery } from './planning.dtos';

/** Where goals stand against their plan, from the goal-progress read model. */
@ApiTags('progress')
@Controller()
export class ProgressController {
  constructor(
    private readonly planning: Planning,
    private readonly progress: Progress,
    private readonly lastWrites: LastWrites,
  ) {}

  @Get('projects/:projectId/progress')
  @ApiOperation({
    summary:
      'Every goal of the project against its plan: actual, expected, pace, forecast and status; parents with their children rolled up. `caughtUp` is false when `minPosition` was not reached within 2 s',
  })
  async project(@Param('projectId') projectId: string, @Query() query: ProgressQuery, @Req() request: AuthenticatedRequest) {
    const { state } = await this.planning.project(projectId);
    const caughtUp = await this.progress.reached(await this.lastWrites.minPosition(request, query.minPosition));
    return { ...(await this.progress.project(projectId, query.date ?? todayIn(state.charter?.timeZone ?? 'UTC'))), caughtUp };
  }

  @Get('goals/:goalId/progress')
  @ApiOperation({ summary: 'One goal against its plan, with the daily series of actual and expected for charts' })
  async goal(@Param('goalId') goalId: string, @Query() query: ProgressQuery, @Req() request: AuthenticatedRequest) {
    const caughtUp = await this.progress.reached(await this.lastWrites.minPosition(request, query.minPosition));
    const view = await this.progress.goal(
      goalId,
      async (projectId) => query.date ?? todayIn((await this.planning.project(projectId)).state.charter?.timeZone ?? 'UTC'),
      async () => (await this.planning.goal(goalId)).stored.map((e) => parseEvent(e.type, e.data)),
    );
    if (!view) throw new NotFoundException({ code: 'GOAL_NOT_FOUND', message: `goal ${goalId} does not exist` });
    return { ...view, caughtUp };
  }
}
