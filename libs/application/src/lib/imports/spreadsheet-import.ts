import { DomainRuleViolation, type ActualInput, type CommandMetadata } from '@planledger/domain';
import type { EventStore } from '@planledger/event-store';
import {
  readSpreadsheet,
  valueLocale,
  type ImportTable,
  type SheetKind,
  type SpreadsheetSource,
  type TextEncodingName,
} from '@planledger/spreadsheets';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Planning, type RequestMetadata } from '../planning';
import { DryRunEventStore } from './dry-run-store';
import type { ImportProblem, ImportProgress, ImportReport, ImportSheetSummary } from './import-report';
import {
  derivedId,
  ownerOf,
  RowReader,
  type ActualIntent,
  type GoalIntent,
  type Intent,
  type MemberIntent,
  type RowOrigin,
  type TaskIntent,
} from './import-rows';

/** Most data rows one file may hold, over all its sheets. */
export const IMPORT_MAX_ROWS = 200_000;
/** Actuals appended to a goal in one batch: one append, one transaction. */
export const IMPORT_ACTUALS_PER_APPEND = 1000;
/** Problems listed in a report; the rest are counted. */
export const IMPORT_PROBLEMS_LISTED = 1000;

export interface ImportOptions {
  projectId: string;
  fileName: string;
  /** The file's bytes, or its path: a file on disk is streamed, never read whole. */
  source: SpreadsheetSource;
  /** Who imports: every event's actor. */
  actor: string;
  /** The importer's name as people know it (Li Na), for the history; the actor alone when absent. */
  actorName?: string | null;
  /** True (the default): check every row and write nothing. */
  dryRun?: boolean;
  /** The locale the file was made in (day-first dates and comma decimals); `en` when absent. */
  locale?: string;
  /** A CSV's kind when its headers do not tell. */
  kind?: SheetKind;
  /** A CSV's encoding when its bytes do not tell. */
  encoding?: TextEncodingName;
  maxRows?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** The clock; the system's when absent. */
  now?: () => Date;
}

/** Which command refusals point at which column. */
const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  OWNER_NOT_A_MEMBER: 'owner',
  ASSIGNEE_NOT_A_MEMBER: 'owner',
  REPORTS_TO_NOT_A_MEMBER: 'reportsTo',
  SKILL_LISTED_TWICE: 'skills',
  PHASING_MISMATCH: 'weights',
  PHASING_WEIGHTS_SUM: 'weights',
  GOAL_OUTSIDE_PROJECT_PERIOD: 'deadline',
  DEADLINE_BEFORE_START: 'deadline',
  CHILD_OUTSIDE_PARENT_PERIOD: 'deadline',
  CHILD_UNIT_MISMATCH: 'unit',
  PARENT_GOAL_NOT_FOUND: 'parent',
  PARENT_GOAL_WITHDRAWN: 'parent',
  PARENT_GOAL_IN_OTHER_PROJECT: 'parent',
  GOAL_NOT_SMART: 'target',
  TARGET_NOT_POSITIVE: 'target',
  ACTUAL_OUTSIDE_GOAL_PERIOD: 'businessDate',
  ACTUAL_IN_THE_FUTURE: 'businessDate',
  GOAL_NOT_FOUND: 'goal',
  GOAL_WITHDRAWN: 'goal',
  GOAL_IN_OTHER_PROJECT: 'goal',
  TASK_DUE_OUTSIDE_PROJECT_PERIOD: 'dueDate',
};

type Outcome = 'written' | 'present' | 'rejected';

/** One run over one file: a dry run on a DryRunEventStore, or the import itself on the real store. */
class ImportPass {
  private readonly planning: Planning;
  readonly problems: ImportProblem[] = [];
  readonly outcomes = new Map<Intent, Outcome>();
  eventsWritten = 0;
  private done = 0;
  private readonly members = new Map<string, string>();
  private readonly memberIdsByName = new Map<string, string[]>();
  private readonly goals = new Map<string, { title: string; owner: string }>();
  /** Target and deadline of the goals the project has, to say when a row differs from them. */
  private readonly planned = new Map<string, { target: number; deadline: string }>();
  /** Goals found by title (and owner), for the rows that name them again. */
  private readonly goalsByTitle = new Map<string, string>();

  constructor(
    private readonly store: EventStore,
    private readonly options: ImportOptions & { importId: string },
    private readonly reader: RowReader,
    private readonly total: number,
    private readonly phase: 'checking' | 'writing',
  ) {
    this.planning = new Planning(store);
  }

  private metadata(): RequestMetadata {
    const now = (this.options.now ?? (() => new Date()))().toISOString();
    const meta: CommandMetadata & Pick<RequestMetadata, 'correlationId' | 'origin'> = {
      actor: this.options.actor,
      now,
      correlationId: this.options.importId,
      origin: { kind: 'import', fileName: this.options.fileName, actorName: this.options.actorName ?? null },
    };
    return meta;
  }

  private progress(rows: number): void {
    this.done += rows;
    this.options.onProgress?.({ phase: this.phase, done: this.done, total: this.total });
  }

  private problem(origin: RowOrigin, field: string | null, code: string, message: string): void {
    this.reader.problem(origin, field, code, message);
  }

  /** A refusal by a command, at the column its code points to; anything else is not the file's fault. */
  private refused(origin: RowOrigin, error: unknown, fallbackField: string | null = null): void {
    if (!(error instanceof DomainRuleViolation)) throw error;
    this.problem(origin, FIELD_OF_CODE[error.code] ?? fallbackField, error.code, error.message);
  }

  private rememberMember(memberId: string, name: string): void {
    this.members.set(memberId, name);
    const ids = this.memberIdsByName.get(name) ?? [];
    if (!ids.includes(memberId)) ids.push(memberId);
    this.memberIdsByName.set(name, ids);
  }

  /** A member written in a cell by id or by name; reports the problem when none or several match. */
  private memberId(origin: RowOrigin, field: string, text: string): string | undefined {
    if (this.members.has(text)) return text;
    const byName = this.memberIdsByName.get(text) ?? [];
    if (byName.length === 1) return byName[0];
    this.problem(
      origin,
      field,
      byName.length > 1 ? 'AMBIGUOUS_MEMBER' : 'UNKNOWN_MEMBER',
      byName.length > 1
        ? `${byName.length} members are called "${text}" (${byName.join(', ')}); write the member ID`
        : `"${text}" is neither a member ID nor the name of a member of the project or the Members sheet`,
    );
    return undefined;
  }

  /** A goal written in a cell by id or by title (with its owner when titles repeat). */
  private goalId(origin: RowOrigin, field: string, text: string, owner?: string): string | undefined {
    if (this.goals.has(text)) return text;
    const key = `${text}\u0000${owner ?? ''}`;
    const known = this.goalsByTitle.get(key);
    if (known) return known;
    const found = this.findGoal(origin, field, text, owner);
    // Only answers are remembered: every row naming an unknown goal gets its own problem.
    if (found) this.goalsByTitle.set(key, found);
    return found;
  }

  private findGoal(origin: RowOrigin, field: string, text: string, owner?: string): string | undefined {
    let candidates = [...this.goals].filter(([, g]) => g.title === text);
    if (owner !== undefined && candidates.length > 1) {
      const ownerId = this.members.has(owner) ? owner : this.memberIdsByName.get(owner)?.[0];
      candidates = candidates.filter(
        ([, g]) => g.owner === owner || g.owner === ownerId || (g.owner === 'team' && ['team', '团队'].includes(owner)),
      );
    }
    if (candidates.length === 1) return candidates[0][0];
    this.problem(
      origin,
      field,
      candidates.length > 1 ? 'AMBIGUOUS_GOAL' : 'UNKNOWN_GOAL',
      candidates.length > 1
        ? `${candidates.length} goals are titled "${text}" (${candidates.map(([id]) => id).join(', ')}); write the goal ID or the owner`
        : `"${text}" is neither a goal ID nor the title of a goal of the project or the Goals sheet`,
    );
    return undefined;
  }

  async run(intents: readonly Intent[]): Promise<void> {
    const { projectId } = this.options;
    const team = await this.planning.team(projectId);
    for (const member of team.members) this.rememberMember(member.memberId, member.name);
    const existingGoals = await this.planning.projectGoals(projectId);
    for (const goal of existingGoals)
      if (goal.target !== undefined && goal.deadline) this.planned.set(goal.goalId, { target: goal.target, deadline: goal.deadline });
    for (const goal of existingGoals)
      this.goals.set(goal.goalId, { title: goal.title ?? '', owner: goal.owner?.kind === 'member' ? goal.owner.memberId : 'team' });
    const existingMembers = new Set(this.members.keys());
    const existingGoalIds = new Set(this.goals.keys());
    const existingTasks = new Set(await this.planning.idsCreatedIn(projectId, 'TaskPlanned', 'taskId'));

    const of = <K extends Intent['kind']>(kind: K) => intents.filter((i): i is Extract<Intent, { kind: K }> => i.kind === kind);
    await this.importMembers(of('members'), existingMembers);
    await this.importGoals(of('goals'), existingGoalIds);
    await this.importTasks(of('tasks'), existingTasks);
    await this.importActuals(of('actuals'));
  }

  private async importMembers(intents: MemberIntent[], existing: ReadonlySet<string>): Promise<void> {
    const seen = new Map<string, MemberIntent>();
    for (const intent of intents) {
      const first = seen.get(intent.memberId);
      if (first) {
        this.reject(intent, 'memberId', 'DUPLICATE_ID', `member ${intent.memberId} is already on row ${first.row}`);
        continue;
      }
      seen.set(intent.memberId, intent);
      if (!existing.has(intent.memberId)) this.rememberMember(intent.memberId, intent.profile.name);
    }
    // Whoever a member reports to joins first.
    let pending = intents.filter((i) => seen.get(i.memberId) === i);
    const joined = new Set(existing);
    while (pending.length > 0) {
      const ready = pending.filter(
        (i) => !i.reportsTo || joined.has(this.resolvedQuietly(i.reportsTo) ?? '') || !this.dependsOnFile(i, pending),
      );
      const batch = ready.length > 0 ? ready : pending;
      for (const intent of batch) {
        await this.importMember(intent, existing);
        joined.add(intent.memberId);
      }
      pending = pending.filter((i) => !batch.includes(i));
    }
  }

  private resolvedQuietly(text: string): string | undefined {
    if (this.members.has(text)) return text;
    const ids = this.memberIdsByName.get(text) ?? [];
    return ids.length === 1 ? ids[0] : undefined;
  }

  private dependsOnFile(intent: MemberIntent, pending: readonly MemberIntent[]): boolean {
    const target = this.resolvedQuietly(intent.reportsTo ?? '');
    return pending.some((p) => p.memberId === target && p !== intent);
  }

  private async importMember(intent: MemberIntent, existing: ReadonlySet<string>): Promise<void> {
    if (existing.has(intent.memberId)) return this.settle(intent, 'present');
    const reportsTo = intent.reportsTo === undefined ? undefined : this.memberId(intent, 'reportsTo', intent.reportsTo);
    if (intent.reportsTo !== undefined && reportsTo === undefined) return this.settle(intent, 'rejected');
    try {
      const result = await this.planning.changeTeam(
        this.options.projectId,
        { type: 'JoinMember', data: { memberId: intent.memberId, ...intent.profile, ...(reportsTo ? { reportsTo } : {}) } },
        this.metadata(),
      );
      this.eventsWritten += result.events.length;
      this.settle(intent, 'written');
    } catch (error) {
      this.refused(intent, error);
      this.settle(intent, 'rejected');
    }
  }

  private async importGoals(intents: GoalIntent[], existing: ReadonlySet<string>): Promise<void> {
    const seen = new Map<string, GoalIntent>();
    const fresh: GoalIntent[] = [];
    for (const intent of intents) {
      const first = seen.get(intent.goalId);
      if (first) {
        this.reject(intent, 'goalId', 'DUPLICATE_ID', `goal ${intent.goalId} is already on row ${first.row}`);
        continue;
      }
      seen.set(intent.goalId, intent);
      if (existing.has(intent.goalId)) continue;
      const taken = await this.planning.ownership('goal', intent.goalId);
      if (taken && taken.projectId !== this.options.projectId) {
        this.reject(intent, 'goalId', 'GOAL_ID_TAKEN', `goal ID ${intent.goalId} is used by another project; choose another`);
        continue;
      }
      this.goals.set(intent.goalId, { title: intent.definition.title, owner: intent.owner });
      fresh.push(intent);
    }
    for (const intent of intents) {
      if (!existing.has(intent.goalId) || seen.get(intent.goalId) !== intent) continue;
      this.settle(intent, 'present');
      // An import adds what is missing; it never changes a goal behind the history's back.
      const current = this.planned.get(intent.goalId);
      if (current && (current.target !== intent.definition.target || current.deadline !== intent.definition.deadline))
        this.reader.problem(
          intent,
          current.target !== intent.definition.target ? 'target' : 'deadline',
          'GOAL_DIFFERS',
          `goal ${intent.goalId} is already set (target ${current.target}, deadline ${current.deadline}) and is left as it is; adjust it with a reason to change it`,
          'warning',
        );
    }
    // Parents before their children: a child's SetGoal reads its parent.
    const parentOf = new Map<GoalIntent, string | undefined>();
    for (const intent of fresh) {
      if (intent.parent === undefined) parentOf.set(intent, undefined);
      else {
        const parent = this.goalId(intent, 'parent', intent.parent);
        if (parent === undefined) this.settle(intent, 'rejected');
        else parentOf.set(intent, parent);
      }
    }
    let pending = [...parentOf.keys()];
    const set = new Set(existing);
    while (pending.length > 0) {
      const ready = pending.filter((i) => {
        const parent = parentOf.get(i);
        return parent === undefined || set.has(parent) || !pending.some((p) => p.goalId === parent);
      });
      if (ready.length === 0) {
        for (const intent of pending)
          this.reject(intent, 'parent', 'PARENT_GOAL_CYCLE', `goal ${intent.goalId} is (through its parents) its own parent`);
        break;
      }
      for (const intent of ready) {
        await this.importGoal(intent, parentOf.get(intent));
        set.add(intent.goalId);
      }
      pending = pending.filter((i) => !ready.includes(i));
    }
  }

  private async importGoal(intent: GoalIntent, parentGoalId: string | undefined): Promise<void> {
    const owner = ownerOf(intent.owner, (text) => this.memberId(intent, 'owner', text));
    if (!owner) return this.settle(intent, 'rejected');
    try {
      const result = await this.planning.setGoal(
        this.options.projectId,
        intent.goalId,
        { ...intent.definition, owner, ...(parentGoalId ? { parentGoalId } : {}) },
        this.metadata(),
      );
      this.eventsWritten += result.events.length;
      this.settle(intent, 'written');
    } catch (error) {
      this.refused(intent, error, 'strategyRefs');
      this.settle(intent, 'rejected');
    }
  }

  private async importTasks(intents: TaskIntent[], existing: ReadonlySet<string>): Promise<void> {
    const seen = new Map<string, TaskIntent>();
    for (const intent of intents) {
      const taskId = intent.taskId ?? derivedId('t', this.options.projectId, intent.plan.title, intent.owner ?? '', intent.plan.dueDate);
      const first = seen.get(taskId);
      if (first) {
        this.reject(intent, intent.taskId ? 'taskId' : 'title', 'DUPLICATE_ID', `the same task is already on row ${first.row}`);
        continue;
      }
      seen.set(taskId, intent);
      if (existing.has(taskId)) {
        this.settle(intent, 'present');
        continue;
      }
      const assigneeId = intent.owner === undefined ? undefined : this.memberId(intent, 'owner', intent.owner);
      const goalId = intent.goal === undefined ? undefined : this.goalId(intent, 'goal', intent.goal);
      if ((intent.owner !== undefined && !assigneeId) || (intent.goal !== undefined && !goalId)) {
        this.settle(intent, 'rejected');
        continue;
      }
      try {
        const result = await this.planning.planTask(
          this.options.projectId,
          taskId,
          { ...intent.plan, ...(assigneeId ? { assigneeId } : {}), ...(goalId ? { goalId } : {}) },
          this.metadata(),
        );
        this.eventsWritten += result.events.length;
        this.settle(intent, 'written');
      } catch (error) {
        this.refused(intent, error, 'strategyRef');
        this.settle(intent, 'rejected');
      }
    }
  }

  private async importActuals(intents: ActualIntent[]): Promise<void> {
    const byGoal = new Map<string, { intent: ActualIntent; actual: ActualInput }[]>();
    const refs = new Map<string, ActualIntent>();
    const ids = new Map<string, ActualIntent>();
    for (const intent of intents) {
      const goalId = this.goalId(intent, 'goal', intent.goal, intent.owner);
      if (!goalId) {
        this.settle(intent, 'rejected');
        continue;
      }
      const identity = intent.externalRef ?? `${intent.businessDate}\u0000${intent.value}\u0000${intent.note ?? ''}`;
      const actualId = derivedId('a', goalId, identity);
      if (intent.externalRef !== undefined) {
        const first = refs.get(`${goalId}\u0000${intent.externalRef}`);
        if (first) {
          this.reject(
            intent,
            'externalRef',
            'DUPLICATE_REFERENCE',
            `reference ${intent.externalRef} is already on row ${first.row} for the same goal`,
          );
          continue;
        }
        refs.set(`${goalId}\u0000${intent.externalRef}`, intent);
      } else {
        const first = ids.get(actualId);
        if (first) {
          this.reject(
            intent,
            null,
            'DUPLICATE_ROW',
            `the same goal, date, value and note are already on row ${first.row}; give each a reference if both are real`,
          );
          continue;
        }
        ids.set(actualId, intent);
      }
      const source = (intent.note ? `${this.options.fileName}: ${intent.note}` : this.options.fileName).slice(0, 500);
      const actual: ActualInput = {
        actualId,
        value: intent.value,
        businessDate: intent.businessDate,
        source,
        ...(intent.externalRef ? { externalRef: intent.externalRef } : {}),
      };
      const batch = byGoal.get(goalId) ?? [];
      batch.push({ intent, actual });
      byGoal.set(goalId, batch);
    }
    for (const [goalId, rows] of byGoal) {
      for (let start = 0; start < rows.length; start += IMPORT_ACTUALS_PER_APPEND)
        await this.recordBatch(goalId, rows.slice(start, start + IMPORT_ACTUALS_PER_APPEND));
    }
  }

  /** One append of many actuals; a row the goal refuses is reported and the rest are tried again. */
  private async recordBatch(goalId: string, rows: { intent: ActualIntent; actual: ActualInput }[]): Promise<void> {
    let remaining = rows;
    while (remaining.length > 0) {
      try {
        const result = await this.planning.changeGoal(
          goalId,
          { type: 'RecordActuals', data: { actuals: remaining.map((r) => r.actual) } },
          this.metadata(),
        );
        const written = new Set(result.events.map((e) => String((e.data as { actualId?: string }).actualId)));
        this.eventsWritten += result.events.length;
        for (const { intent, actual } of remaining) this.settle(intent, written.has(actual.actualId) ? 'written' : 'present');
        this.progress(remaining.length);
        return;
      } catch (error) {
        if (!(error instanceof DomainRuleViolation)) throw error;
        const match = /^actuals\[(\d+)\]: (.*)$/s.exec(error.message);
        if (match && remaining[Number(match[1])]) {
          const bad = remaining[Number(match[1])];
          this.problem(bad.intent, FIELD_OF_CODE[error.code] ?? null, error.code, match[2]);
          this.settle(bad.intent, 'rejected');
          this.progress(1);
          remaining = remaining.filter((r) => r !== bad);
          continue;
        }
        // The goal itself refuses (withdrawn, project closed): every row of it.
        for (const { intent } of remaining) {
          this.problem(intent, FIELD_OF_CODE[error.code] ?? 'goal', error.code, error.message);
          this.settle(intent, 'rejected');
        }
        this.progress(remaining.length);
        return;
      }
    }
  }

  private reject(intent: Intent, field: string | null, code: string, message: string): void {
    this.problem(intent, field, code, message);
    this.settle(intent, 'rejected');
  }

  private settle(intent: Intent, outcome: Outcome): void {
    const before = this.outcomes.get(intent);
    this.outcomes.set(intent, outcome);
    if (before === undefined && intent.kind !== 'actuals') this.progress(1);
  }
}

/**
 * Spreadsheet imports into a project: members, goals, tasks and actuals from one .xlsx or CSV.
 * Every row goes through the same commands as the API, first on a dry-run store (so a dry run is
 * exactly what the import would do), then, when asked and nothing is wrong, on the real store.
 * Ids come from the rows (given, or derived from the row), so importing a file again, or again
 * after an interruption, writes only what is not there yet.
 */
export class SpreadsheetImports {
  constructor(private readonly store: EventStore) {}

  async run(options: ImportOptions): Promise<ImportReport> {
    const startedAt = new Date().toISOString();
    const dryRun = options.dryRun ?? true;
    options.onProgress?.({ phase: 'reading', done: 0, total: 0 });
    const read = await readSpreadsheet(options.source, {
      fileName: options.fileName,
      kind: options.kind,
      encoding: options.encoding,
      maxRows: options.maxRows ?? IMPORT_MAX_ROWS,
    });
    const { state: project } = await new Planning(this.store).project(options.projectId);
    const digest = (await digestOf(options.source)).slice(0, 12);
    const importId = `import:${options.fileName.slice(0, 120)}:${digest}`;
    const problems: ImportProblem[] = read.problems.map((p) => ({ ...p, field: null }));
    const reader = new RowReader(valueLocale(options.locale), problems, {
      startDate: project.charter?.periodStart ?? '',
      projectId: options.projectId,
    });
    const intents = read.tables.flatMap((table) => reader.read(table));
    const total = read.tables.reduce((n, t) => n + t.rows.length, 0);
    const withId = { ...options, importId };

    const check = new ImportPass(new DryRunEventStore(this.store), withId, reader, total, 'checking');
    await check.run(intents);
    const ok = !problems.some((p) => p.severity === 'error');
    let pass = check;
    if (!dryRun && ok) {
      // Checked in full first: a file with any error writes nothing.
      const found: ImportProblem[] = [];
      pass = new ImportPass(
        this.store,
        withId,
        new RowReader(valueLocale(options.locale), found, { startDate: '', projectId: options.projectId }),
        total,
        'writing',
      );
      await pass.run(intents);
      // What the check reported is not reported twice; anything new (another writer in between) is.
      const known = new Set(problems.map((p) => `${p.sheet}\u0000${p.row}\u0000${p.code}`));
      problems.push(...found.filter((p) => !known.has(`${p.sheet}\u0000${p.row}\u0000${p.code}`)));
    }
    options.onProgress?.({ phase: 'done', done: total, total });
    const committed = !dryRun && ok;
    return {
      importId,
      projectId: options.projectId,
      fileName: options.fileName,
      format: read.format,
      encoding: read.encoding,
      dryRun,
      ok: !problems.some((p) => p.severity === 'error'),
      committed,
      sheets: read.tables.map((table) => summary(table, intents, pass, problems)),
      problems: problems.slice(0, IMPORT_PROBLEMS_LISTED),
      moreProblems: Math.max(0, problems.length - IMPORT_PROBLEMS_LISTED),
      eventsWritten: committed ? pass.eventsWritten : 0,
      actor: options.actor,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }
}

/** The SHA-256 of the file, streamed when it is on disk. */
async function digestOf(source: SpreadsheetSource): Promise<string> {
  const hash = createHash('sha256');
  if (Buffer.isBuffer(source)) return hash.update(source).digest('hex');
  for await (const chunk of createReadStream(source.path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function summary(table: ImportTable, intents: readonly Intent[], pass: ImportPass, problems: readonly ImportProblem[]): ImportSheetSummary {
  const rejectedRows = new Set(
    problems.filter((p) => p.sheet === table.sheet && p.severity === 'error' && p.row !== null).map((p) => p.row),
  );
  let written = 0;
  let present = 0;
  for (const intent of intents) {
    if (intent.table !== table || rejectedRows.has(intent.row)) continue;
    const outcome = pass.outcomes.get(intent);
    if (outcome === 'written') written++;
    else if (outcome === 'present') present++;
  }
  return { sheet: table.sheet, kind: table.kind, rows: table.rows.length, written, alreadyPresent: present, rejected: rejectedRows.size };
}
