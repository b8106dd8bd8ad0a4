import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { buildReport, Planning, ProjectLife, reportHtml, reportMarkdown, type RequestMetadata } from '@planledger/application';
import {
  appraiseMemberBodySchema,
  assignIssueBodySchema,
  defineStrategyElementBodySchema,
  endMeetingCadenceBodySchema,
  planTrainingBodySchema,
  publishEvaluationBodySchema,
  raiseIssueBodySchema,
  recordFeedbackBodySchema,
  recordLessonBodySchema,
  recordMeetingMinutesBodySchema,
  recordSurveyResponseBodySchema,
  reopenIssueBodySchema,
  reportQuerySchema,
  resolveIssueBodySchema,
  reviseStrategyElementBodySchema,
  setIncentiveSchemeBodySchema,
  setMeetingCadenceBodySchema,
  withdrawStrategyElementBodySchema,
} from '@planledger/contracts';
import { EVENT_STORE, type EventStore } from '@planledger/event-store';
import type { Request, Response } from 'express';
import { createZodDto } from 'nestjs-zod';
import { Command, newId } from '../http/request-context';
import { commandResponse } from '../planning/command-response';

class DefineStrategyElementBody extends createZodDto(defineStrategyElementBodySchema) {}
class ReviseStrategyElementBody extends createZodDto(reviseStrategyElementBodySchema) {}
class WithdrawStrategyElementBody extends createZodDto(withdrawStrategyElementBodySchema) {}
class SetMeetingCadenceBody extends createZodDto(setMeetingCadenceBodySchema) {}
class EndMeetingCadenceBody extends createZodDto(endMeetingCadenceBodySchema) {}
class RecordMeetingMinutesBody extends createZodDto(recordMeetingMinutesBodySchema) {}
class RaiseIssueBody extends createZodDto(raiseIssueBodySchema) {}
class AssignIssueBody extends createZodDto(assignIssueBodySchema) {}
class ResolveIssueBody extends createZodDto(resolveIssueBodySchema) {}
class ReopenIssueBody extends createZodDto(reopenIssueBodySchema) {}
class RecordFeedbackBody extends createZodDto(recordFeedbackBodySchema) {}
class RecordSurveyResponseBody extends createZodDto(recordSurveyResponseBodySchema) {}
class AppraiseMemberBody extends createZodDto(appraiseMemberBodySchema) {}
class RecordLessonBody extends createZodDto(recordLessonBodySchema) {}
class SetIncentiveSchemeBody extends createZodDto(setIncentiveSchemeBodySchema) {}
class PlanTrainingBody extends createZodDto(planTrainingBodySchema) {}
class PublishEvaluationBody extends createZodDto(publishEvaluationBodySchema) {}
class ReportQuery extends createZodDto(reportQuerySchema) {}

/**
 * The rest of a project's life: strategy, meetings, the issues log, feedback and satisfaction,
 * the wrap-up, and the project report.
 */
@ApiTags('strategy, execution and wrap-up')
@Controller('projects/:projectId')
export class ProjectLifeController {
  constructor(
    private readonly life: ProjectLife,
    private readonly planning: Planning,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('strategy/elements')
  @ApiOperation({
    summary: 'Add a strategy element: a market analysis, customer segment, sales channel, pricing strategy or promotion plan',
  })
  async defineElement(
    @Param('projectId') projectId: string,
    @Body() body: DefineStrategyElementBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const elementId = body.elementId ?? newId(meta, `strategy#${projectId}`);
    return commandResponse(res, elementId, await this.life.defineStrategyElement(projectId, elementId, body.element, meta));
  }

  @Post('strategy/elements/:elementId/revisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revise a strategy element (same kind, with a reason)' })
  async reviseElement(
    @Param('projectId') projectId: string,
    @Param('elementId') elementId: string,
    @Body() body: ReviseStrategyElementBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(res, elementId, await this.life.reviseStrategyElement(projectId, elementId, body.element, body.reason, meta));
  }

  @Post('strategy/elements/:elementId/withdrawal')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw a strategy element nothing else in the strategy uses (with a reason)' })
  async withdrawElement(
    @Param('projectId') projectId: string,
    @Param('elementId') elementId: string,
    @Body() body: WithdrawStrategyElementBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(res, elementId, await this.life.withdrawStrategyElement(projectId, elementId, body.reason, meta));
  }

  @Get('strategy')
  @ApiOperation({
    summary:
      'The strategy: each element with the goals and tasks that serve it; elements nothing serves and goals serving no element are flagged',
  })
  strategy(@Param('projectId') projectId: string) {
    return this.life.strategy(projectId);
  }

  @Post('meeting-cadences')
  @ApiOperation({ summary: 'Set a regular meeting: kind, recurrence and attendees' })
  async setCadence(
    @Param('projectId') projectId: string,
    @Body() body: SetMeetingCadenceBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { cadenceId = newId(meta, `cadence#${projectId}`), ...cadence } = body;
    return commandResponse(res, cadenceId, await this.life.setMeetingCadence(projectId, { ...cadence, cadenceId }, meta));
  }

  @Post('meeting-cadences/:cadenceId/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a regular meeting (with a reason)' })
  async endCadence(
    @Param('projectId') projectId: string,
    @Param('cadenceId') cadenceId: string,
    @Body() body: EndMeetingCadenceBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(res, cadenceId, await this.life.endMeetingCadence(projectId, cadenceId, body.reason, meta));
  }

  @Post('meetings')
  @ApiOperation({ summary: 'Record a meeting’s minutes: attendees, notes, decisions; each action item becomes a task' })
  async recordMinutes(
    @Param('projectId') projectId: string,
    @Body() body: RecordMeetingMinutesBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { meetingId = newId(meta, `meeting#${projectId}`), ...minutes } = body;
    const result = await this.life.recordMeetingMinutes(projectId, { ...minutes, meetingId }, meta);
    // The tasks its action items became, so the caller can follow them without a search.
    return { ...commandResponse(res, meetingId, result), tasks: result.tasks };
  }

  @Get('meetings')
  @ApiOperation({ summary: 'Regular meetings and the minutes of each meeting held, newest first' })
  meetings(@Param('projectId') projectId: string) {
    return this.life.meetings(projectId);
  }

  @Post('issues')
  @ApiOperation({ summary: 'Raise an issue (severity; optionally the task or goal it affects)' })
  async raiseIssue(
    @Param('projectId') projectId: string,
    @Body() body: RaiseIssueBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { issueId = newId(meta, `issue#${projectId}`), ...issue } = body;
    return commandResponse(res, issueId, await this.life.raiseIssue(projectId, issueId, issue, meta));
  }

  @Post('issues/:issueId/assignment')
  @HttpCode(200)
  @ApiOperation({ summary: 'Assign an open issue to a team member' })
  async assignIssue(
    @Param('projectId') projectId: string,
    @Param('issueId') issueId: string,
    @Body() body: AssignIssueBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      issueId,
      await this.life.changeIssue(projectId, { type: 'AssignIssue', data: { issueId, assigneeId: body.assigneeId }, metadata: meta }),
    );
  }

  @Post('issues/:issueId/resolution')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve an open issue, saying how' })
  async resolveIssue(
    @Param('projectId') projectId: string,
    @Param('issueId') issueId: string,
    @Body() body: ResolveIssueBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      issueId,
      await this.life.changeIssue(projectId, { type: 'ResolveIssue', data: { issueId, resolution: body.resolution }, metadata: meta }),
    );
  }

  @Post('issues/:issueId/reopening')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a resolved issue, saying why' })
  async reopenIssue(
    @Param('projectId') projectId: string,
    @Param('issueId') issueId: string,
    @Body() body: ReopenIssueBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(
      res,
      issueId,
      await this.life.changeIssue(projectId, { type: 'ReopenIssue', data: { issueId, reason: body.reason }, metadata: meta }),
    );
  }

  @Get('issues')
  @ApiOperation({ summary: 'The issues log: each issue with its status, assignee and resolution' })
  issues(@Param('projectId') projectId: string) {
    return this.life.issues(projectId);
  }

  @Post('feedback')
  @ApiOperation({ summary: 'Record feedback from a team member or a customer, optionally linked to a strategy element, task or goal' })
  async recordFeedback(
    @Param('projectId') projectId: string,
    @Body() body: RecordFeedbackBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { feedbackId = newId(meta, `feedback#${projectId}`), ...feedback } = body;
    return commandResponse(res, feedbackId, await this.life.recordFeedback(projectId, feedbackId, feedback, meta));
  }

  @Post('survey-responses')
  @ApiOperation({
    summary: 'Record a customer satisfaction response (CSAT 1–5 or NPS 0–10); with goalId, the aggregate score becomes that goal’s actual',
  })
  async recordSurveyResponse(
    @Param('projectId') projectId: string,
    @Body() body: RecordSurveyResponseBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { responseId = newId(meta, `survey#${projectId}`), goalId, ...response } = body;
    return commandResponse(res, responseId, await this.life.recordSurveyResponse(projectId, responseId, response, goalId, meta));
  }

  @Get('feedback')
  @ApiOperation({ summary: 'Feedback, survey responses and the satisfaction scores (CSAT mean, NPS)' })
  feedback(@Param('projectId') projectId: string) {
    return this.life.feedback(projectId);
  }

  @Post('appraisals')
  @ApiOperation({ summary: 'Appraise a member: score, strengths and improvements; the KPI attainment is computed from the member’s goals' })
  async appraise(
    @Param('projectId') projectId: string,
    @Body() body: AppraiseMemberBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(res, body.memberId, await this.life.appraiseMember(projectId, body, meta));
  }

  @Post('lessons')
  @ApiOperation({ summary: 'Record a lesson learned (success or failure), tagged and linked to goals or strategy elements' })
  async recordLesson(
    @Param('projectId') projectId: string,
    @Body() body: RecordLessonBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { lessonId = newId(meta, `lesson#${projectId}`), ...lesson } = body;
    return commandResponse(res, lessonId, await this.life.recordLesson(projectId, { ...lesson, lessonId }, meta));
  }

  @Post('incentive-scheme')
  @ApiOperation({
    summary: 'Set the incentive scheme: rules paying a bonus or an award at attainment thresholds (a reason to replace one)',
  })
  async setScheme(
    @Param('projectId') projectId: string,
    @Body() body: SetIncentiveSchemeBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(res, projectId, await this.life.setIncentiveScheme(projectId, body, meta));
  }

  @Post('trainings')
  @ApiOperation({ summary: 'Plan training for a member: topic, date and why' })
  async planTraining(
    @Param('projectId') projectId: string,
    @Body() body: PlanTrainingBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { trainingId = newId(meta, `training#${projectId}`), ...training } = body;
    return commandResponse(res, trainingId, await this.life.planTraining(projectId, { ...training, trainingId }, meta));
  }

  @Post('evaluation')
  @ApiOperation({
    summary:
      'Publish the evaluation: attainment per member and for the team, and the awards the scheme pays for it, computed from the actuals',
  })
  async publishEvaluation(
    @Param('projectId') projectId: string,
    @Body() body: PublishEvaluationBody,
    @Command() meta: RequestMetadata,
    @Res({ passthrough: true }) res: Response,
  ) {
    return commandResponse(res, projectId, await this.life.publishEvaluation(projectId, body.summary, meta));
  }

  @Get('wrap-up')
  @ApiOperation({
    summary: 'Appraisals, lessons, the incentive scheme, training, published evaluations, and attainment and awards as the facts stand now',
  })
  wrapUp(@Param('projectId') projectId: string) {
    return this.life.wrapUp(projectId);
  }

  @Get('report')
  @ApiProduces('application/json', 'text/markdown', 'text/html')
  @ApiOperation({
    summary:
      'The project report from the events alone, as JSON, Markdown or HTML (`format`, else the Accept header), with English or Chinese labels (`lang`, else Accept-Language)',
  })
  async report(
    @Param('projectId') projectId: string,
    @Query() query: ReportQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const report = await buildReport(this.store, this.planning, this.life, projectId);
    const lang: 'en' | 'zh' = query.lang ?? ((req.acceptsLanguages('en', 'zh') || 'en') === 'zh' ? 'zh' : 'en');
    const accepted = req.accepts(['application/json', 'text/markdown', 'text/html']);
    const format = query.format ?? (accepted === 'text/markdown' ? 'markdown' : accepted === 'text/html' ? 'html' : 'json');
    res.setHeader('Content-Language', lang);
    res.setHeader('Vary', 'Accept, Accept-Language');
    if (format === 'markdown') res.type('text/markdown; charset=utf-8').send(reportMarkdown(report, lang));
    else if (format === 'html') res.type('text/html; charset=utf-8').send(reportHtml(report, lang));
    else res.json({ ...report, language: lang });
  }
}
