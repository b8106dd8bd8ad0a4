import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, Boards, Planning, ProjectLife, Progress, todayIn } from '@planledger/application';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../security/principal';

const searchQuerySchema = z.object({
  q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').describe('Words to find, Chinese or English'),
  limit: z.coerce.number().int().min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100').default(50),
});
class SearchQuery extends createZodDto(searchQuerySchema) {}

/**
 * Text as it is compared: NFKC (full-width Latin and digits as their ASCII forms) and lower case.
 * Matching is by substring, which finds Chinese words where word-based full-text search cannot.
 */
export function normaliseForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export interface SearchHit {
  kind: 'goal' | 'task' | 'issue' | 'feedback' | 'lesson';
  id: string;
  projectId: string;
  projectName: string;
  title: string;
  /** The matching text around the first match, for the result list. */
  excerpt: string;
}

function excerptOf(text: string, at: number, length: number): string {
  const start = Math.max(0, at - 30);
  const end = Math.min(text.length, at + length + 30);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

/** The dashboard's cross-project reads: a person's own work, and search over what the projects hold. */
@ApiTags('dashboard')
@Controller()
export class WorkController {
  constructor(
    private readonly access: Access,
    private readonly planning: Planning,
    private readonly progress: Progress,
    private readonly boards: Boards,
    private readonly projectLife: ProjectLife,
  ) {}

  /** The projects the caller may read, with the member they are in each (admins: every project, no member). */
  private async readable(principal: Principal): Promise<{ projectId: string; memberId: string | null }[]> {
    const { grants } = await this.access.current();
    const mine = [...grants.entries()].flatMap(([projectId, bySubject]) => {
      const grant = bySubject.get(principal.subject);
      return grant && grant.role !== 'analyst' ? [{ projectId, memberId: grant.memberId ?? null }] : [];
    });
    if (!principal.admin) return mine;
    const all: { projectId: string; memberId: string | null }[] = [];
    for (let after: string | undefined, page; ; after = page.next ?? undefined) {
      page = await this.planning.listProjects(100, after);
      for (const p of page.projects)
        all.push({ projectId: p.projectId, memberId: mine.find((m) => m.projectId === p.projectId)?.memberId ?? null });
      if (!page.next) break;
    }
    return all;
  }

  @Get('me/work')
  @ApiOperation({
    summary:
      'The caller’s own work across every project where they are a team member: the goals they own with their figures, and their open tasks (overdue first); alerts are in GET /me/alerts',
  })
  async work(@CurrentPrincipal() principal: Principal) {
    const projects = [];
    for (const { projectId, memberId } of await this.readable(principal)) {
      if (memberId === null) continue;
      const { state } = await this.planning.project(projectId);
      const today = todayIn(state.charter?.timeZone ?? 'UTC');
      const [progress, board] = await Promise.all([
        this.progress.project(projectId, today),
        this.boards.tasks(projectId, today, { assignee: memberId }),
      ]);
      const goals = progress.goals.filter((g) => g.owner.kind === 'member' && g.owner.memberId === memberId && g.goalStatus === 'active');
      const tasks = (board.tasks as { status: string; overdue: boolean }[])
        .filter((t) => t.status !== 'completed' && t.status !== 'cancelled')
        .sort((a, b) => Number(b.overdue) - Number(a.overdue));
      projects.push({
        projectId,
        name: state.charter?.name ?? projectId,
        memberId,
        date: today,
        position: progress.position,
        goals,
        tasks,
      });
    }
    return { subject: principal.subject, projects };
  }

  @Get('search')
  @ApiOperation({
    summary:
      'Search the goals, tasks, issues, feedback and lessons of every project the caller may read, by substring (Chinese and English alike; case and full-width forms ignored), newest projects first',
  })
  async search(@Query() query: SearchQuery, @CurrentPrincipal() principal: Principal) {
    const needle = normaliseForSearch(query.q);
    const hits: SearchHit[] = [];
    const consider = (hit: Omit<SearchHit, 'excerpt'>, ...texts: (string | null | undefined)[]) => {
      for (const text of texts) {
        if (!text) continue;
        const at = normaliseForSearch(text).indexOf(needle);
        if (at >= 0) {
          hits.push({ ...hit, excerpt: excerptOf(text, at, needle.length) });
          return;
        }
      }
    };
    for (const { projectId } of (await this.readable(principal)).reverse()) {
      if (hits.length >= query.limit) break;
      const { state } = await this.planning.project(projectId);
      const projectName = state.charter?.name ?? projectId;
      const base = { projectId, projectName };
      const [goals, tasks, issues, feedback, wrapUp] = await Promise.all([
        this.planning.projectGoals(projectId),
        this.planning.projectTasks(projectId),
        this.projectLife.issues(projectId),
        this.projectLife.feedback(projectId),
        this.projectLife.wrapUp(projectId),
      ]);
      for (const g of goals) consider({ ...base, kind: 'goal', id: g.goalId, title: g.title ?? g.goalId }, g.title);
      for (const t of tasks as { taskId: string; title?: string; description?: string }[])
        consider({ ...base, kind: 'task', id: t.taskId, title: t.title ?? t.taskId }, t.title, t.description);
      for (const i of issues.issues as { issueId?: string; title?: string; description?: string }[])
        consider({ ...base, kind: 'issue', id: i.issueId ?? '', title: i.title ?? '' }, i.title, i.description);
      for (const f of feedback.feedback as { feedbackId?: string; topic?: string; text?: string }[])
        consider({ ...base, kind: 'feedback', id: f.feedbackId ?? '', title: f.topic ?? f.text ?? '' }, f.topic, f.text);
      for (const l of wrapUp.lessons as { lessonId?: string; title?: string; text?: string }[])
        consider({ ...base, kind: 'lesson', id: l.lessonId ?? '', title: l.title ?? l.text ?? '' }, l.title, l.text);
    }
    return { q: query.q, hits: hits.slice(0, query.limit) };
  }
}
