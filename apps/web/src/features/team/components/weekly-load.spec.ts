import type { TaskCard, TeamMember } from '../../../lib/api/types';
import { weekOf, weeklyLoad } from './weekly-load';

const member = (memberId: string, weeklyCapacityHours = 40) => ({ memberId, name: memberId, weeklyCapacityHours }) as TeamMember;
const task = (assigneeId: string, dueDate: string, estimateHours: number, percent = 0, status: TaskCard['status'] = 'in_progress') =>
  ({ taskId: `${assigneeId}-${dueDate}-${estimateHours}`, assigneeId, dueDate, estimateHours, percent, status }) as TaskCard;

describe('the weekly load', () => {
  it('starts weeks on Monday', () => {
    expect(weekOf('2026-12-01')).toBe('2026-11-30'); // a Tuesday
    expect(weekOf('2026-11-30')).toBe('2026-11-30');
    expect(weekOf('2026-12-06')).toBe('2026-11-30'); // Sunday ends the week
  });

  it('counts each open task’s remaining hours in the week it is due, overdue ones in this week, against capacity', () => {
    const tasks = [
      task('li', '2026-12-02', 10), // this week: 10 h
      task('li', '2026-11-20', 8, 50), // overdue, half done: 4 h this week
      task('li', '2026-12-09', 20, 0), // next week: 20 h
      task('li', '2026-12-03', 30, 0, 'completed'), // done: nothing
      task('wang', '2026-12-04', 12), // another member's
    ];
    const [li, wang] = weeklyLoad([member('li'), member('wang', 24)], tasks, '2026-12-01', 2);
    // Li: (10 + 4) / 40 = 0.35 this week, 20 / 40 = 0.5 next week. Wang: 12 / 24 = 0.5.
    expect(li.weeks).toEqual([
      { week: '2026-11-30', load: 0.35 },
      { week: '2026-12-07', load: 0.5 },
    ]);
    expect(wang.weeks).toEqual([
      { week: '2026-11-30', load: 0.5 },
      { week: '2026-12-07', load: 0 },
    ]);
  });
});
