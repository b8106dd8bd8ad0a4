import type { z } from 'zod';
import type { recordActualBodySchema, adjustGoalTargetBodySchema, planTaskBodySchema, projectCharterSchema, setGoalBodySchema } from '@planledger/contracts';

/** What the API answers to a command. */
export interface CommandAnswer {
  id: string;
  revision: number;
  position: string;
  events: string[];
}

/** The API refused a command: the HTTP status and the Problem body, whose `code` names the rule. */
export class CommandRefused extends Error {
  constructor(
    readonly status: number,
    readonly problem: { code?: string; message?: string; issues?: { path: string; message: string }[] },
  ) {
    super(`${status} ${problem.code ?? ''}: ${problem.message ?? ''}`);
    this.name = 'CommandRefused';
  }
}

export interface CommandClientOptions {
  baseUrl: string;
  authorization: string;
  fetch?: typeof fetch;
}

/** Typed helpers for the command API; each accepts an Idempotency-Key so a retry applies once. */
export class CommandClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: CommandClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  openProject(charter: z.input<typeof projectCharterSchema>, idempotencyKey?: string) {
    return this.post('/projects', charter, idempotencyKey);
  }

  setGoal(projectId: string, goal: z.input<typeof setGoalBodySchema>, idempotencyKey?: string) {
    return this.post(`/projects/${encodeURIComponent(projectId)}/goals`, goal, idempotencyKey);
  }

  adjustGoalTarget(goalId: string, body: z.input<typeof adjustGoalTargetBodySchema>, idempotencyKey?: string) {
    return this.post(`/goals/${encodeURIComponent(goalId)}/target-adjustments`, body, idempotencyKey);
  }

  recordActual(goalId: string, actual: z.input<typeof recordActualBodySchema>, idempotencyKey?: string) {
    return this.post(`/goals/${encodeURIComponent(goalId)}/actuals`, actual, idempotencyKey);
  }

  planTask(projectId: string, task: z.input<typeof planTaskBodySchema>, idempotencyKey?: string) {
    return this.post(`/projects/${encodeURIComponent(projectId)}/tasks`, task, idempotencyKey);
  }

  private async post(path: string, body: unknown, idempotencyKey?: string): Promise<CommandAnswer> {
    const response = await this.fetch(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.options.authorization, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 300) throw new CommandRefused(response.status, answer);
    return answer as unknown as CommandAnswer;
  }
}
