import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { Planning, type RequestMetadata } from '@planledger/application';
import { ChangeTaskCommand } from './planning.commands';
import type { Response } from 'express';
import { Command, etag, IfMatch } from '../http/request-context';
import { commandResponse } from './command-response';
import {
  AssignTaskBody,
  BlockTaskBody,
  CancelTaskBody,
  CommandResultDto,
  CompleteTaskBody,
  MoveTaskDueDateBody,
  ReportTaskProgressBody,
  StartTaskBody,
  UnblockTaskBody,
} from './planning.dtos';

type Change = Parameters<Planning['changeTask']>[1];

@ApiTags('tasks')
@ApiHeader({ name: 'If-Match', required: false, description: 'Apply only at this revision (from the ETag); 412 otherwise' })
@ApiUnprocessableEntityResponse({ description: 'A business rule refused the command; the body names it with a stable code' })
@ApiPreconditionFailedResponse({ description: 'The task is no longer at the If-Match revision' })
@Controller('tasks/:taskId')
export class TasksController {
  constructor(
    private readonly planning: Planning,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The task (ETag: its revision)' })
  async get(@Param('taskId') taskId: string, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.planning.task(taskId);
    response.setHeader('ETag', etag(revision));
    return {
      taskId,
      projectId: state.projectId,
      status: state.status,
      percent: state.percent,
      blockedReason: state.blockedReason,
      revision,
      ...state.plan,
    };
  }

  @Post('assignment')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign the task to a current member' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  assign(
    @Param('taskId') id: string,
    @Body() body: AssignTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'AssignTask', data: body }, meta, ifMatch);
  }

  @Post('reassignment')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand the task to another current member, with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  reassign(
    @Param('taskId') id: string,
    @Body() body: AssignTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'AssignTask', data: body }, meta, ifMatch);
  }

  @Post('start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start an assigned task' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  start(
    @Param('taskId') id: string,
    @Body() _body: StartTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'StartTask', data: {} }, meta, ifMatch);
  }

  @Post('progress')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report progress (percent and a note) on a started task' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  progress(
    @Param('taskId') id: string,
    @Body() body: ReportTaskProgressBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'ReportTaskProgress', data: body }, meta, ifMatch);
  }

  @Post('block')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark the task blocked, with the reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  block(
    @Param('taskId') id: string,
    @Body() body: BlockTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'BlockTask', data: body }, meta, ifMatch);
  }

  @Post('unblock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lift the block; the task returns to where it was' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  unblock(
    @Param('taskId') id: string,
    @Body() body: UnblockTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'UnblockTask', data: body }, meta, ifMatch);
  }

  @Post('due-date-moves')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the due date inside the project period, with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  moveDueDate(
    @Param('taskId') id: string,
    @Body() body: MoveTaskDueDateBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'MoveTaskDueDate', data: body }, meta, ifMatch);
  }

  @Post('completion')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete the task' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  complete(
    @Param('taskId') id: string,
    @Body() body: CompleteTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'CompleteTask', data: body }, meta, ifMatch);
  }

  @Post('cancellation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the task, with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  cancel(
    @Param('taskId') id: string,
    @Body() body: CancelTaskBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.change(res, id, { type: 'CancelTask', data: body }, meta, ifMatch);
  }

  private async change(response: Response, taskId: string, change: Change, meta: RequestMetadata, ifMatch: number | undefined) {
    return commandResponse(response, taskId, await this.commands.execute(new ChangeTaskCommand(taskId, change, meta, ifMatch)));
  }
}
