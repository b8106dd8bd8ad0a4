import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { Access, Planning, type RequestMetadata } from '@planledger/application';
import { CurrentPrincipal, type Principal } from '../security/principal';
import { AmendProjectCharterCommand, CloseProjectCommand, OpenProjectCommand, PlanTaskCommand, SetGoalCommand } from './planning.commands';
import type { Response } from 'express';
import { Command, etag, IfMatch, newId } from '../http/request-context';
import { commandResponse } from './command-response';
import {
  AmendProjectCharterBody,
  CloseProjectBody,
  CommandResultDto,
  HistoryPageDto,
  ListProjectsQuery,
  OpenProjectBody,
  PlanAsOfQuery,
  PlanDiffDto,
  PlanDiffQuery,
  PlanSnapshotDto,
  PlanTaskBody,
  ProjectHistoryQuery,
  SetGoalBody,
} from './planning.dtos';

@ApiTags('projects')
@ApiUnprocessableEntityResponse({ description: 'A business rule refused the command; the body names it with a stable code' })
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly planning: Planning,
    private readonly access: Access,
    private readonly commands: CommandBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Open a sales project' })
  @ApiCreatedResponse({ type: CommandResultDto.Output })
  async open(@Body() body: OpenProjectBody, @Command() meta: RequestMetadata, @Res({ passthrough: true }) response: Response) {
    const projectId = newId(meta, 'project');
    return commandResponse(response, projectId, await this.commands.execute(new OpenProjectCommand(projectId, body, meta)));
  }

  @Get()
  @ApiOperation({
    summary:
      'The projects you hold a role in (all of them for admins), in the order they were opened, a page at a time (pass `next` as `after`)',
  })
  async list(@Query() query: ListProjectsQuery, @CurrentPrincipal() principal: Principal) {
    if (principal.admin) return this.planning.listProjects(query.limit, query.after);
    const { grants } = await this.access.current();
    return this.planning.listProjects(query.limit, query.after, (projectId) => grants.get(projectId)?.has(principal.subject) ?? false);
  }

  @Get(':projectId')
  @ApiOperation({ summary: 'The project as its stream tells it (ETag: its revision)' })
  @ApiNotFoundResponse({ description: 'No such project' })
  async get(@Param('projectId') projectId: string, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.planning.project(projectId);
    const [goals, team, tasks] = await Promise.all([
      this.planning.projectGoals(projectId),
      this.planning.team(projectId),
      this.planning.projectTasks(projectId),
    ]);
    response.setHeader('ETag', etag(revision));
    return { projectId, status: state.status, revision, charter: state.charter, team, goals, tasks };
  }

  @Get(':projectId/history')
  @ApiOperation({
    summary:
      'Every change to the project, its team, goals and tasks: who, when (recorded and business time), what (before → after) and why',
  })
  @ApiOkResponse({ type: HistoryPageDto.Output })
  history(@Param('projectId') projectId: string, @Query() query: ProjectHistoryQuery) {
    return this.planning.history(projectId, query);
  }

  @Get(':projectId/plan')
  @ApiOperation({
    summary: 'The whole plan (goals and targets, owners, team and roles, tasks and assignees) as the system knew it at `asOf`',
  })
  @ApiOkResponse({ type: PlanSnapshotDto.Output })
  planAsOf(@Param('projectId') projectId: string, @Query() query: PlanAsOfQuery) {
    return this.planning.planAsOf(projectId, query.asOf);
  }

  @Get(':projectId/plan/diff')
  @ApiOperation({ summary: 'What changed in the plan between two moments, each change with the reasons recorded in between' })
  @ApiOkResponse({ type: PlanDiffDto.Output })
  planDiff(@Param('projectId') projectId: string, @Query() query: PlanDiffQuery) {
    return this.planning.planDiff(projectId, query.from, query.to);
  }

  @Post(':projectId/charter-amendments')
  @HttpCode(200)
  @ApiOperation({ summary: 'Amend the charter (before → after, with a reason)' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  @ApiConflictResponse({ description: 'Changed concurrently; retry' })
  async amend(
    @Param('projectId') projectId: string,
    @Body() body: AmendProjectCharterBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(
      response,
      projectId,
      await this.commands.execute(new AmendProjectCharterCommand(projectId, body.changes, body.reason, meta, ifMatch)),
    );
  }

  @Post(':projectId/closure')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the project; it then refuses every change' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async close(
    @Param('projectId') projectId: string,
    @Body() body: CloseProjectBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    return commandResponse(
      response,
      projectId,
      await this.commands.execute(new CloseProjectCommand(projectId, body.reason, meta, ifMatch, body.outcome)),
    );
  }

  @Post(':projectId/tasks')
  @ApiOperation({ summary: 'Plan a task: goal or strategy link, parent task, assignee, due date, estimate' })
  @ApiCreatedResponse({ type: CommandResultDto.Output })
  async planTask(
    @Param('projectId') projectId: string,
    @Body() body: PlanTaskBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    const taskId = newId(meta, `task of ${projectId}`);
    return commandResponse(response, taskId, await this.commands.execute(new PlanTaskCommand(projectId, taskId, body, meta)));
  }

  @Post(':projectId/goals')
  @ApiOperation({ summary: 'Set a SMART goal with its KPI, target, phasing and owner' })
  @ApiCreatedResponse({ type: CommandResultDto.Output })
  async setGoal(
    @Param('projectId') projectId: string,
    @Body() body: SetGoalBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) response: Response,
  ) {
    const goalId = newId(meta, `goal of ${projectId}`);
    return commandResponse(response, goalId, await this.commands.execute(new SetGoalCommand(projectId, goalId, body, meta)));
  }
}
