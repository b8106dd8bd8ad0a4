import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { Planning, type RequestMetadata } from '@planledger/application';
import { currentSmart } from '@planledger/domain';
import { ChangeGoalCommand } from './planning.commands';
import type { Response } from 'express';
import { Command, etag, IfMatch, newId } from '../http/request-context';
import { commandResponse } from './command-response';
import {
  AdjustGoalTargetBody,
  ChangeGoalOwnerBody,
  CommandResultDto,
  CorrectActualBody,
  MoveGoalDeadlineBody,
  RecordActualBody,
  RecordActualsBatchBody,
  LinkGoalStrategyBody,
  RephaseGoalBody,
  ChangeGoalRollupBody,
  WithdrawGoalBody,
} from './planning.dtos';

type Change = Parameters<Planning['changeGoal']>[1];

@ApiTags('goals')
@ApiHeader({ name: 'If-Match', required: false, description: 'Apply only at this revision (from the ETag); 412 otherwise' })
@ApiUnprocessableEntityResponse({ description: 'A business rule refused the command; the body names it with a stable code' })
@ApiPreconditionFailedResponse({ description: 'The goal is no longer at the If-Match revision' })
@Controller('goals/:goalId')
export class GoalsController {
  constructor(
    private readonly planning: Planning,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'The goal with its SMART assessment, drift state and actuals (ETag: its revision, which only people’s changes move; drift checks record beside it)',
  })
  async get(@Param('goalId') goalId: string, @Res({ passthrough: true }) response: Response) {
    const [{ state, revision }, drift] = await Promise.all([this.planning.goal(goalId), this.planning.driftOf(goalId)]);
    const project = state.projectId ? (await this.planning.project(state.projectId)).state : undefined;
    response.setHeader('ETag', etag(revision));
    return {
      goalId,
      projectId: state.projectId,
      status: state.status,
      revision,
      ...state.definition,
      // The assessment the goal as it stands now earns, under the project's current SMART policy.
      smart: project ? currentSmart(state, project, await this.planning.similarGoalResults(state.definition)) : state.smart,
      smartWhenSet: state.smart,
      // The drift checks' verdict, kept in a stream of its own: it never moves the goal's revision.
      drift: drift.state,
      actuals: [...state.actuals].map(([actualId, actual]) => ({ actualId, ...actual })),
    };
  }

  @Post('target-adjustments')
  @HttpCode(200)
  @ApiOperation({ summary: 'Adjust the target (before → after, with a reason)' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  adjustTarget(
    @Param('goalId') goalId: string,
    @Body() body: AdjustGoalTargetBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'AdjustGoalTarget', data: body }, meta, ifMatch);
  }

  @Post('deadline-moves')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the deadline inside the project period' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  moveDeadline(
    @Param('goalId') goalId: string,
    @Body() body: MoveGoalDeadlineBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'MoveGoalDeadline', data: body }, meta, ifMatch);
  }

  @Post('owner-changes')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand the goal to the team or a current member' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  changeOwner(
    @Param('goalId') goalId: string,
    @Body() body: ChangeGoalOwnerBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'ChangeGoalOwner', data: body }, meta, ifMatch);
  }

  @Post('strategy-links')
  @HttpCode(200)
  @ApiOperation({ summary: 'Relink the goal to the strategy elements it serves (all of them; empty for none), with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  linkStrategy(
    @Param('goalId') goalId: string,
    @Body() body: LinkGoalStrategyBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'LinkGoalStrategy', data: body }, meta, ifMatch);
  }

  @Post('rephasings')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rephase: linear, or weights per week or month summing to 1' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  rephase(
    @Param('goalId') goalId: string,
    @Body() body: RephaseGoalBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'RephaseGoal', data: body }, meta, ifMatch);
  }

  @Post('rollup-changes')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Change how the goal takes its figures from its child goals (sum, average, weighted_average, min, or none to keep its own actuals), with a reason',
  })
  @ApiOkResponse({ type: CommandResultDto.Output })
  changeRollup(
    @Param('goalId') goalId: string,
    @Body() body: ChangeGoalRollupBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'ChangeGoalRollup', data: body }, meta, ifMatch);
  }

  @Post('withdrawal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the goal; it then refuses every change' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  withdraw(
    @Param('goalId') goalId: string,
    @Body() body: WithdrawGoalBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'WithdrawGoal', data: body }, meta, ifMatch);
  }

  @Post('actuals')
  @ApiOperation({ summary: 'Record an actual result; the same external reference twice is recorded once' })
  @ApiCreatedResponse({ type: CommandResultDto.Output })
  async recordActual(
    @Param('goalId') goalId: string,
    @Body() body: RecordActualBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const actualId = body.actualId ?? newId(meta, `actual of ${goalId}`);
    const result = await this.commands.execute(new ChangeGoalCommand(goalId, { type: 'RecordActual', data: { ...body, actualId } }, meta));
    return commandResponse(res, actualId, result);
  }

  @Post('actuals/batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record up to 10,000 actuals from a feed; rows already recorded (by external reference) are skipped' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async recordActuals(
    @Param('goalId') goalId: string,
    @Body() body: RecordActualsBatchBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const actuals = body.actuals.map((actual, row) => ({
      ...actual,
      actualId: actual.actualId ?? newId(meta, `actual of ${goalId} from ${actual.externalRef}#${row}`),
    }));
    const result = await this.commands.execute(new ChangeGoalCommand(goalId, { type: 'RecordActuals', data: { actuals } }, meta));
    return { ...commandResponse(res, goalId, result), recorded: result.events.length, skipped: actuals.length - result.events.length };
  }

  @Post('actuals/:actualId/corrections')
  @HttpCode(200)
  @ApiOperation({ summary: 'Correct a recorded actual, with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  correctActual(
    @Param('goalId') goalId: string,
    @Param('actualId') actualId: string,
    @Body() body: CorrectActualBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, goalId, { type: 'CorrectActual', data: { actualId, ...body } }, meta, ifMatch);
  }

  private async change(response: Response, goalId: string, change: Change, meta: RequestMetadata, ifMatch: number | undefined) {
    return commandResponse(response, goalId, await this.commands.execute(new ChangeGoalCommand(goalId, change, meta, ifMatch)));
  }
}
