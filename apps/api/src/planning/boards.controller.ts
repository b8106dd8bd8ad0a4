import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Boards, Planning, todayIn } from '@planledger/application';
import type { Response } from 'express';
import { LastWrites } from '../http/last-writes';
import { etag } from '../http/request-context';
import type { AuthenticatedRequest } from '../security/principal';
import { ProgressQuery, TaskBoardQuery } from './planning.dtos';

/** The team board and the task board, from the task-board and goal-progress read models. */
@ApiTags('team', 'tasks')
@Controller('projects/:projectId')
export class BoardsController {
  constructor(
    private readonly planning: Planning,
    private readonly boards: Boards,
    private readonly lastWrites: LastWrites,
  ) {}

  private async today(projectId: string, date: string | undefined): Promise<string> {
    const { state } = await this.planning.project(projectId);
    return date ?? todayIn(state.charter?.timeZone ?? 'UTC');
  }

  @Get('team')
  @ApiOperation({
    summary:
      'The team board: each current member with role, responsibilities and skills, open, overdue and blocked tasks, hours due within 7 days against weekly capacity (`load`), and attainment on the goals the member owns; skill requirements with who covers them. ETag: the team revision. `caughtUp` is false when `minPosition` was not reached within 2 s',
  })
  async team(
    @Param('projectId') projectId: string,
    @Query() query: ProgressQuery,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const today = await this.today(projectId, query.date);
    const caughtUp = await this.boards.reached(await this.lastWrites.minPosition(request, query.minPosition));
    const team = await this.planning.team(projectId);
    response.setHeader('ETag', etag(team.revision));
    return { ...(await this.boards.team(projectId, today, team)), caughtUp };
  }

  @Get('tasks')
  @ApiOperation({
    summary:
      'The task board: tasks by status, assignee and overdue (open and past the due date in the project’s time zone), in due-date order, with counts by status, overdue and open per assignee over the whole project. `caughtUp` is false when `minPosition` was not reached within 2 s',
  })
  async tasks(@Param('projectId') projectId: string, @Query() query: TaskBoardQuery, @Req() request: AuthenticatedRequest) {
    const today = await this.today(projectId, query.date);
    const caughtUp = await this.boards.reached(await this.lastWrites.minPosition(request, query.minPosition));
    return {
      ...(await this.boards.tasks(projectId, today, { status: query.status, assignee: query.assignee, overdue: query.overdue })),
      caughtUp,
    };
  }
}
