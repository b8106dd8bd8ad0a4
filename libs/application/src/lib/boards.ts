import { isOpen, memberLoad, taskBoard, type Member, type SkillCoverage, type TaskCard, type TaskFilter } from '@planledger/domain';
import type { EventStore } from '@planledger/event-store';
import { projectionId, type ReadModelStore } from '@planledger/projections';
import { goalProgressProjection, Progress, projectionsReached, taskBoardProjection } from './progress';

/** The task board and the team board, from the task-board and goal-progress read models. */
export class Boards {
  private readonly cardsId = projectionId(taskBoardProjection);

  constructor(
    private readonly models: ReadModelStore,
    private readonly store: EventStore,
    private readonly progress: Progress,
  ) {}

  /** Read-your-writes over both read models the boards use. */
  reached(position: string | undefined, timeoutMs = 2000): Promise<boolean> {
    return projectionsReached(this.models, this.store, [taskBoardProjection, goalProgressProjection], position, timeoutMs);
  }

  private async cards(projectId: string): Promise<TaskCard[]> {
    return [...(await this.models.find(this.cardsId, 'projectId', projectId)).values()] as unknown as TaskCard[];
  }

  /** The project's tasks the filter keeps, in due-date order, with counts over all of them. */
  async tasks(projectId: string, today: string, filter: TaskFilter) {
    const { position } = await this.models.checkpoint(this.cardsId);
    return { projectId, date: today, position: position ?? null, ...taskBoard(await this.cards(projectId), today, filter) };
  }

  /**
   * Each current member with role, responsibilities and skills, open work and load against weekly
   * capacity, and attainment on the goals the member owns; the skill requirements with who covers them.
   */
  async team(projectId: string, today: string, team: { revision: number | undefined; members: Member[]; skillCoverage: SkillCoverage[] }) {
    const [cards, progress, { position }] = await Promise.all([
      this.cards(projectId),
      this.progress.project(projectId, today),
      this.models.checkpoint(this.cardsId),
    ]);
    const members = team.members.map((member) => {
      const goals = progress.goals
        .filter((g) => g.goalStatus === 'active' && g.owner.kind === 'member' && g.owner.memberId === member.memberId)
        .map((g) => ({
          goalId: g.goalId,
          title: g.title,
          target: g.target,
          actualToDate: g.actualToDate,
          expectedToDate: g.expectedToDate,
          attainment: g.attainment,
          pace: g.pace,
          status: g.status,
        }));
      return {
        memberId: member.memberId,
        name: member.name,
        role: member.role,
        responsibilities: member.responsibilities,
        skills: member.skills,
        reportsTo: member.reportsTo ?? null,
        ...memberLoad(member, cards, today),
        goals,
      };
    });
    return {
      projectId,
      date: today,
      revision: team.revision ?? null,
      position: position ?? null,
      members,
      skillCoverage: team.skillCoverage,
      unassignedOpenTasks: cards.filter((c) => c.assigneeId === null && isOpen(c)).length,
    };
  }
}
