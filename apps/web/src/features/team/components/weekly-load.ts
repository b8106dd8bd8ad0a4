import type { TaskCard, TeamMember } from '../../../lib/api/types';

/** The Monday (ISO week start) of a calendar day. */
export function weekOf(isoDate: string): string {
  const day = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

/**
 * Hours due per member and week against their weekly capacity, from the task board: each open
 * task's remaining estimate (estimate × (1 − percent done)) falls in the week of its due date; an
 * overdue task counts in the current week. `weeks` weeks from the week of `today`.
 */
export function weeklyLoad(members: readonly TeamMember[], tasks: readonly TaskCard[], today: string, weeks = 6) {
  const first = weekOf(today);
  const starts = Array.from({ length: weeks }, (_, i) => {
    const d = new Date(`${first}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 7 * i);
    return d.toISOString().slice(0, 10);
  });
  return members.map((member) => {
    const hours = new Map(starts.map((w) => [w, 0]));
    for (const task of tasks) {
      if (task.assigneeId !== member.memberId || task.dueDate === null) continue;
      if (task.status === 'completed' || task.status === 'cancelled') continue;
      const week = task.dueDate < first ? first : weekOf(task.dueDate);
      if (!hours.has(week)) continue;
      hours.set(week, (hours.get(week) ?? 0) + (task.estimateHours ?? 0) * (1 - task.percent / 100));
    }
    return {
      name: member.name,
      weeks: starts.map((week) => ({
        week,
        load: member.weeklyCapacityHours > 0 ? (hours.get(week) ?? 0) / member.weeklyCapacityHours : 0,
      })),
    };
  });
}
