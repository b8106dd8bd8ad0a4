import {
  goalDefinitionSchema,
  idSchema,
  joinMemberBodySchema,
  recordActualBodySchema,
  taskPlanSchema,
  type GoalDefinition,
  type GoalOwner,
  type MemberProfile,
  type TaskPlan,
} from '@planledger/contracts';
import {
  cellText,
  parseDate,
  parseList,
  parseNumber,
  type CellValue,
  type ImportTable,
  type SheetKind,
  type SheetRow,
  type ValueLocale,
} from '@planledger/spreadsheets';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { ImportProblem } from './import-report';

/** Where a row came from, for every problem it may raise later (a refusal by a command included). */
export interface RowOrigin {
  table: ImportTable;
  row: number;
}

export interface MemberIntent extends RowOrigin {
  kind: 'members';
  memberId: string;
  profile: MemberProfile;
  /** As written: a member id or name, resolved once all members are known. */
  reportsTo?: string;
}

export interface GoalIntent extends RowOrigin {
  kind: 'goals';
  goalId: string;
  definition: Omit<GoalDefinition, 'owner' | 'parentGoalId'>;
  owner: string;
  parent?: string;
}

export interface TaskIntent extends RowOrigin {
  kind: 'tasks';
  taskId?: string;
  plan: Omit<TaskPlan, 'assigneeId' | 'goalId'>;
  owner?: string;
  goal?: string;
}

export interface ActualIntent extends RowOrigin {
  kind: 'actuals';
  goal: string;
  owner?: string;
  value: number;
  businessDate: string;
  externalRef?: string;
  note?: string;
}

export type Intent = MemberIntent | GoalIntent | TaskIntent | ActualIntent;

// Built once: a zod schema is costly to derive, and a file has many rows.
const goalRowSchema = goalDefinitionSchema.omit({ owner: true, parentGoalId: true });
const taskRowSchema = taskPlanSchema.omit({ assigneeId: true, goalId: true, parentTaskId: true });
const actualRowSchema = recordActualBodySchema.pick({ value: true, businessDate: true, externalRef: true });

/** A short, stable id from parts: the same row always gives the same id, so a re-import finds it. */
export function derivedId(prefix: string, ...parts: readonly string[]): string {
  return `${prefix}-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16)}`;
}

/** An id from a name: `Li Na` → `li-na`; a name with no Latin letters gets a derived id. */
export function idFromName(prefix: string, name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return /^[a-z0-9]/.test(slug) && slug.length >= 2 && /^[\x20-\x7e]*$/.test(name.trim()) ? slug : derivedId(prefix, name.trim());
}

/** Reads the typed intents of one table, pushing a problem for every cell that is not what its column needs. */
export class RowReader {
  constructor(
    readonly locale: ValueLocale,
    private readonly problems: ImportProblem[],
    private readonly defaults: { startDate: string; projectId: string },
  ) {}

  problem(origin: RowOrigin, field: string | null, code: string, message: string, severity: 'error' | 'warning' = 'error'): void {
    const column = field ? origin.table.columns[field] : undefined;
    this.problems.push({
      sheet: origin.table.sheet,
      row: origin.row,
      column: column ? `${column.letter} (${column.header})` : null,
      field,
      code,
      message,
      severity,
    });
  }

  read(table: ImportTable): Intent[] {
    const intents: Intent[] = [];
    for (const row of table.rows) {
      const before = this.problems.length;
      const intent = this.readRow(table.kind, { table, row: row.row }, row);
      if (intent && this.problems.length === before) intents.push(intent);
    }
    return intents;
  }

  private readRow(kind: SheetKind, origin: RowOrigin, row: SheetRow): Intent | undefined {
    const cells = new Cells(origin, row, this);
    switch (kind) {
      case 'members':
        return this.member(origin, cells);
      case 'goals':
        return this.goal(origin, cells);
      case 'tasks':
        return this.task(origin, cells);
      case 'actuals':
        return this.actual(origin, cells);
    }
  }

  private member(origin: RowOrigin, cells: Cells): MemberIntent | undefined {
    const name = cells.text('name', true);
    const skills = cells.list('skills').map((item) => {
      const match = /^(.+?)\s*[:：=]\s*(\d+)$/.exec(item);
      if (!match) {
        this.problem(origin, 'skills', 'BAD_SKILL', `"${item}" is not skill:level (e.g. negotiation:4)`);
        return { skill: item, level: 1 };
      }
      return { skill: match[1].trim(), level: Number(match[2]) };
    });
    const body = {
      memberId: cells.text('memberId') ?? (name ? idFromName('m', name) : ''),
      name: name ?? '',
      role: cells.text('role', true) ?? '',
      responsibilities: cells.list('responsibilities'),
      skills,
      weeklyCapacityHours: cells.number('weeklyCapacityHours', true) ?? 0,
    };
    const parsed = this.validate(origin, joinMemberBodySchema, body, { weeklyCapacityHours: 'weeklyCapacityHours' });
    if (!parsed) return undefined;
    const { memberId, ...profile } = parsed;
    const reportsTo = cells.text('reportsTo');
    return { kind: 'members', ...origin, memberId, profile, ...(reportsTo ? { reportsTo } : {}) };
  }

  private goal(origin: RowOrigin, cells: Cells): GoalIntent | undefined {
    const title = cells.text('title', true) ?? '';
    const owner = cells.text('owner', true) ?? '';
    const phasingKind = cells.choice('phasing', PHASINGS) ?? 'linear';
    const weightsText = cells.list('weights', this.locale.decimal === '.');
    let weights = weightsText.map((w) => {
      const parsed = parseNumber(w, this.locale);
      if (!parsed.ok) this.problem(origin, 'weights', 'BAD_NUMBER', `the weight ${parsed.reason}`);
      return parsed.ok ? parsed.value : 0;
    });
    // Weights written as 30; 30; 40 are percentages.
    if (weights.length > 0 && Math.abs(weights.reduce((a, b) => a + b, 0) - 100) < 1e-6) weights = weights.map((w) => w / 100);
    if (phasingKind !== 'linear' && weights.length === 0)
      this.problem(
        origin,
        'weights',
        'REQUIRED',
        `a ${phasingKind} phasing needs one weight per ${phasingKind === 'monthly' ? 'month' : 'week'}`,
      );
    const definition = {
      title,
      kpi: {
        name: cells.text('kpi', true) ?? '',
        unit: cells.text('unit', true) ?? '',
        direction: cells.choice('direction', DIRECTIONS) ?? 'higher_is_better',
        aggregation: cells.choice('aggregation', AGGREGATIONS) ?? 'cumulative',
      },
      target: cells.number('target', true) ?? 0,
      baseline: cells.number('baseline') ?? 0,
      startDate: cells.date('startDate') ?? this.defaults.startDate,
      deadline: cells.date('deadline', true) ?? '',
      phasing: phasingKind === 'linear' ? { kind: 'linear' as const } : { kind: phasingKind, weights },
      tolerance: cells.number('tolerance') ?? 0.1,
      strategyRefs: cells.list('strategyRefs'),
    };
    const fields = {
      title: 'title',
      'kpi.name': 'kpi',
      'kpi.unit': 'unit',
      target: 'target',
      baseline: 'baseline',
      startDate: 'startDate',
      deadline: 'deadline',
      phasing: 'weights',
      tolerance: 'tolerance',
      strategyRefs: 'strategyRefs',
    };
    const parsed = this.validate(origin, goalRowSchema, definition, fields);
    const goalId = cells.text('goalId') ?? derivedId('g', this.defaults.projectId, title, owner);
    if (!this.validate(origin, idSchema, goalId, { '': 'goalId' })) return undefined;
    if (!parsed) return undefined;
    const parent = cells.text('parent');
    return { kind: 'goals', ...origin, goalId, definition: parsed, owner, ...(parent ? { parent } : {}) };
  }

  private task(origin: RowOrigin, cells: Cells): TaskIntent | undefined {
    const plan = {
      title: cells.text('title', true) ?? '',
      description: cells.text('description') ?? '',
      dueDate: cells.date('dueDate', true) ?? '',
      ...optional('estimateHours', cells.number('estimateHours')),
      ...optional('strategyRef', cells.text('strategyRef')),
    };
    const parsed = this.validate(origin, taskRowSchema, plan, {
      title: 'title',
      description: 'description',
      dueDate: 'dueDate',
      estimateHours: 'estimateHours',
      strategyRef: 'strategyRef',
    });
    const taskId = cells.text('taskId');
    if (taskId !== undefined && !this.validate(origin, idSchema, taskId, { '': 'taskId' })) return undefined;
    if (!parsed) return undefined;
    const owner = cells.text('owner');
    const goal = cells.text('goal');
    return {
      kind: 'tasks',
      ...origin,
      ...(taskId ? { taskId } : {}),
      plan: parsed,
      ...optional('owner', owner),
      ...optional('goal', goal),
    };
  }

  private actual(origin: RowOrigin, cells: Cells): ActualIntent | undefined {
    const goal = cells.text('goal', true);
    const value = cells.number('value', true);
    const businessDate = cells.date('businessDate', true);
    const externalRef = cells.text('externalRef');
    const note = cells.text('note');
    const parsed = this.validate(
      origin,
      actualRowSchema,
      { value: value ?? 0, businessDate: businessDate ?? '2000-01-01', ...optional('externalRef', externalRef) },
      { value: 'value', businessDate: 'businessDate', externalRef: 'externalRef' },
    );
    if (!parsed || goal === undefined || value === undefined || businessDate === undefined) return undefined;
    return {
      kind: 'actuals',
      ...origin,
      goal,
      ...optional('owner', cells.text('owner')),
      value,
      businessDate,
      ...optional('externalRef', externalRef),
      ...optional('note', note),
    };
  }

  /** The schema's verdict, each issue reported at the column its path maps to. */
  private validate<S extends z.ZodType>(
    origin: RowOrigin,
    schema: S,
    value: unknown,
    fields: Record<string, string>,
  ): z.infer<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = issue.path.map(String);
      const key =
        [...path.keys()]
          .reverse()
          .map((n) => path.slice(0, n + 1).join('.'))
          .find((p) => fields[p] !== undefined) ?? (path.length === 0 ? '' : undefined);
      const field = key === undefined ? null : (fields[key] ?? null);
      this.problem(origin, field, 'INVALID_VALUE', `${field ?? path.join('.')}: ${issue.message}`);
    }
    return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const DIRECTIONS: Readonly<Record<string, 'higher_is_better' | 'lower_is_better'>> = {
  higher_is_better: 'higher_is_better',
  higher: 'higher_is_better',
  up: 'higher_is_better',
  越高越好: 'higher_is_better',
  越大越好: 'higher_is_better',
  越多越好: 'higher_is_better',
  lower_is_better: 'lower_is_better',
  lower: 'lower_is_better',
  down: 'lower_is_better',
  越低越好: 'lower_is_better',
  越小越好: 'lower_is_better',
  越少越好: 'lower_is_better',
};
const AGGREGATIONS: Readonly<Record<string, 'cumulative' | 'level'>> = {
  cumulative: 'cumulative',
  sum: 'cumulative',
  累计: 'cumulative',
  累加: 'cumulative',
  level: 'level',
  latest: 'level',
  水平: 'level',
  最新值: 'level',
  时点: 'level',
};
const PHASINGS: Readonly<Record<string, 'linear' | 'monthly' | 'weekly'>> = {
  linear: 'linear',
  even: 'linear',
  线性: 'linear',
  平均: 'linear',
  monthly: 'monthly',
  month: 'monthly',
  按月: 'monthly',
  月度: 'monthly',
  weekly: 'weekly',
  week: 'weekly',
  按周: 'weekly',
  周度: 'weekly',
};

/** The cells of one row, each read by its column's type; a cell that does not read is a problem at its column. */
class Cells {
  constructor(
    private readonly origin: RowOrigin,
    private readonly row: SheetRow,
    private readonly reader: RowReader,
  ) {}

  private raw(field: string, required: boolean): CellValue | undefined {
    const value = this.row.cells[field] ?? null;
    if (value === null || (typeof value === 'string' && value.trim() === '')) {
      if (required) this.reader.problem(this.origin, field, 'REQUIRED', `${field} is empty; this column needs a value`);
      return undefined;
    }
    return value;
  }

  text(field: string, required = false): string | undefined {
    const value = this.raw(field, required);
    if (value === undefined) return undefined;
    // A number cell read as text (an id of digits) keeps its digits, not 1e+21 or 12.0.
    return value instanceof Date ? value.toISOString().slice(0, 10) : cellText(value);
  }

  number(field: string, required = false): number | undefined {
    const value = this.raw(field, required);
    if (value === undefined) return undefined;
    const parsed = parseNumber(value, this.reader.locale);
    if (!parsed.ok) this.reader.problem(this.origin, field, 'BAD_NUMBER', `${field}: ${parsed.reason}`);
    return parsed.ok ? parsed.value : undefined;
  }

  date(field: string, required = false): string | undefined {
    const value = this.raw(field, required);
    if (value === undefined) return undefined;
    const parsed = parseDate(value, this.reader.locale);
    if (!parsed.ok) this.reader.problem(this.origin, field, 'BAD_DATE', `${field}: ${parsed.reason}`);
    return parsed.ok ? parsed.value : undefined;
  }

  list(field: string, commas = true): string[] {
    const value = this.raw(field, false);
    return value === undefined ? [] : parseList(value, commas);
  }

  choice<T extends string>(field: string, choices: Readonly<Record<string, T>>): T | undefined {
    const text = this.text(field);
    if (text === undefined) return undefined;
    const found = choices[text.toLowerCase().replace(/[\s-]+/g, '_')] ?? choices[text];
    if (!found) {
      const allowed = [...new Set(Object.values(choices))].join(', ');
      this.reader.problem(this.origin, field, 'INVALID_CHOICE', `${field}: "${text}" is not one of ${allowed} (or their Chinese names)`);
    }
    return found;
  }
}

/** For a goal owner written in a cell: the team, or a member by id or name. */
export function ownerOf(text: string, memberIdOf: (text: string) => string | undefined): GoalOwner | undefined {
  if (['team', '团队', '全体', 'all'].includes(text.trim().toLowerCase())) return { kind: 'team' };
  const memberId = memberIdOf(text);
  return memberId ? { kind: 'member', memberId } : undefined;
}
