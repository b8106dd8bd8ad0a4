import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CommandBus } from '@nestjs/cqrs';
import { Planning, type RequestMetadata } from '@planledger/application';
import { ChangeTeamCommand } from './planning.commands';
import type { Response } from 'express';
import { Command, IfMatch } from '../http/request-context';
import { commandResponse } from './command-response';
import {
  AmendMemberBody,
  ChangeMemberRoleBody,
  CommandResultDto,
  JoinMemberBody,
  MemberLeavesBody,
  SetSkillRequirementBody,
} from './planning.dtos';

@ApiTags('team')
@ApiUnprocessableEntityResponse({ description: 'A business rule refused the command; the body names it with a stable code' })
@Controller('projects/:projectId')
export class TeamController {
  constructor(
    private readonly planning: Planning,
    private readonly commands: CommandBus,
  ) {}

  @Post('members')
  @ApiOperation({ summary: 'A member joins: role, responsibilities, skills with levels, weekly capacity, reports-to' })
  @ApiCreatedResponse({ type: CommandResultDto.Output })
  async join(
    @Param('projectId') projectId: string,
    @Body() body: JoinMemberBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      body.memberId,
      await this.commands.execute(new ChangeTeamCommand(projectId, { type: 'JoinMember', data: body }, meta)),
    );
  }

  @Post('members/:memberId/role-changes')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change a member role and responsibilities, with a reason' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async changeRole(
    @Param('projectId') projectId: string,
    @Param('memberId') memberId: string,
    @Body() body: ChangeMemberRoleBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      memberId,
      await this.commands.execute(
        new ChangeTeamCommand(projectId, { type: 'ChangeMemberRole', data: { memberId, ...body } }, meta, ifMatch),
      ),
    );
  }

  @Post('members/:memberId/amendments')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Correct a member’s name or details (skills, weekly capacity, reports-to): only the fields sent change; with a reason',
  })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async amend(
    @Param('projectId') projectId: string,
    @Param('memberId') memberId: string,
    @Body() body: AmendMemberBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      memberId,
      await this.commands.execute(new ChangeTeamCommand(projectId, { type: 'AmendMember', data: { memberId, ...body } }, meta, ifMatch)),
    );
  }

  @Post('members/:memberId/departure')
  @HttpCode(200)
  @ApiOperation({ summary: 'A member leaves, handing open work to a current member' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async leave(
    @Param('projectId') projectId: string,
    @Param('memberId') memberId: string,
    @Body() body: MemberLeavesBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      memberId,
      await this.commands.execute(new ChangeTeamCommand(projectId, { type: 'MemberLeaves', data: { memberId, ...body } }, meta, ifMatch)),
    );
  }

  @Post('skill-requirements')
  @HttpCode(200)
  @ApiOperation({ summary: 'Require a skill at a level for a number of members (0 drops it)' })
  @ApiOkResponse({ type: CommandResultDto.Output })
  async requireSkill(
    @Param('projectId') projectId: string,
    @Body() body: SetSkillRequirementBody,
    @Command() meta: RequestMetadata,
    @IfMatch() ifMatch: number | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      body.skill,
      await this.commands.execute(new ChangeTeamCommand(projectId, { type: 'SetSkillRequirement', data: body }, meta, ifMatch)),
    );
  }
}
