import {
  adjustGoalTargetBodySchema,
  amendProjectCharterBodySchema,
  changeGoalOwnerBodySchema,
  closeProjectBodySchema,
  commandResultSchema,
  correctActualBodySchema,
  moveGoalDeadlineBodySchema,
  openProjectBodySchema,
  listProjectsQuerySchema,
  recordActualBodySchema,
  recordActualsBatchBodySchema,
  rephaseGoalBodySchema,
  changeGoalRollupBodySchema,
  linkGoalStrategyBodySchema,
  setGoalBodySchema,
  withdrawGoalBodySchema,
  joinMemberBodySchema,
  changeMemberRoleBodySchema,
  amendMemberBodySchema,
  memberLeavesBodySchema,
  setSkillRequirementBodySchema,
  planTaskBodySchema,
  assignTaskBodySchema,
  startTaskBodySchema,
  reportTaskProgressBodySchema,
  blockTaskBodySchema,
  unblockTaskBodySchema,
  moveTaskDueDateBodySchema,
  completeTaskBodySchema,
  cancelTaskBodySchema,
  historyPageSchema,
  progressQuerySchema,
  taskBoardQuerySchema,
  planAsOfQuerySchema,
  planDiffQuerySchema,
  planDiffSchema,
  planSnapshotSchema,
  projectHistoryQuerySchema,
} from '@planledger/contracts';
import { createZodDto } from 'nestjs-zod';

export class OpenProjectBody extends createZodDto(openProjectBodySchema) {}
export class AmendProjectCharterBody extends createZodDto(amendProjectCharterBodySchema) {}
export class CloseProjectBody extends createZodDto(closeProjectBodySchema) {}
export class SetGoalBody extends createZodDto(setGoalBodySchema) {}
export class AdjustGoalTargetBody extends createZodDto(adjustGoalTargetBodySchema) {}
export class MoveGoalDeadlineBody extends createZodDto(moveGoalDeadlineBodySchema) {}
export class ChangeGoalOwnerBody extends createZodDto(changeGoalOwnerBodySchema) {}
export class RephaseGoalBody extends createZodDto(rephaseGoalBodySchema) {}
export class ChangeGoalRollupBody extends createZodDto(changeGoalRollupBodySchema) {}
export class LinkGoalStrategyBody extends createZodDto(linkGoalStrategyBodySchema) {}
export class WithdrawGoalBody extends createZodDto(withdrawGoalBodySchema) {}
export class RecordActualBody extends createZodDto(recordActualBodySchema) {}
export class CorrectActualBody extends createZodDto(correctActualBodySchema) {}
export class CommandResultDto extends createZodDto(commandResultSchema) {}
export class JoinMemberBody extends createZodDto(joinMemberBodySchema) {}
export class ChangeMemberRoleBody extends createZodDto(changeMemberRoleBodySchema) {}
export class AmendMemberBody extends createZodDto(amendMemberBodySchema) {}
export class MemberLeavesBody extends createZodDto(memberLeavesBodySchema) {}
export class SetSkillRequirementBody extends createZodDto(setSkillRequirementBodySchema) {}
export class PlanTaskBody extends createZodDto(planTaskBodySchema) {}
export class AssignTaskBody extends createZodDto(assignTaskBodySchema) {}
export class StartTaskBody extends createZodDto(startTaskBodySchema) {}
export class ReportTaskProgressBody extends createZodDto(reportTaskProgressBodySchema) {}
export class BlockTaskBody extends createZodDto(blockTaskBodySchema) {}
export class UnblockTaskBody extends createZodDto(unblockTaskBodySchema) {}
export class MoveTaskDueDateBody extends createZodDto(moveTaskDueDateBodySchema) {}
export class CompleteTaskBody extends createZodDto(completeTaskBodySchema) {}
export class CancelTaskBody extends createZodDto(cancelTaskBodySchema) {}
export class RecordActualsBatchBody extends createZodDto(recordActualsBatchBodySchema) {}
export class ListProjectsQuery extends createZodDto(listProjectsQuerySchema) {}
export class ProjectHistoryQuery extends createZodDto(projectHistoryQuerySchema) {}
export class HistoryPageDto extends createZodDto(historyPageSchema) {}
export class PlanAsOfQuery extends createZodDto(planAsOfQuerySchema) {}
export class PlanDiffQuery extends createZodDto(planDiffQuerySchema) {}
export class PlanSnapshotDto extends createZodDto(planSnapshotSchema) {}
export class PlanDiffDto extends createZodDto(planDiffSchema) {}
export class ProgressQuery extends createZodDto(progressQuerySchema) {}
export class TaskBoardQuery extends createZodDto(taskBoardQuerySchema) {}
