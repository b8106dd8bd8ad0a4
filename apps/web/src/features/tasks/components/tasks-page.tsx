import { ClockCircleOutlined, StopOutlined } from '@ant-design/icons';
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, DatePicker, Select, Space, Typography, message } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { PageError, PageLoading } from '../../../components/page-state';
import { ToneTag } from '../../../components/status-tag';
import type { TaskCard } from '../../../lib/api/types';
import { formatDate } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useCan } from '../../auth/api/get-me';
import { useMemberNames } from '../../team/api/team';
import { useTaskAction, useTaskBoard, type TaskAction } from '../api/tasks';
import { PlanTaskDialog } from './plan-task-dialog';
import { TaskDrawer } from './task-drawer';

const COLUMNS = ['planned', 'in_progress', 'blocked', 'completed'] as const;

/** Overdue and blocked first, then by due date. */
function boardOrder(a: TaskCard, b: TaskCard): number {
  const urgent = (t: TaskCard) => (t.status === 'blocked' ? 0 : t.overdue ? 1 : 2);
  return urgent(a) - urgent(b) || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999');
}

/** The task board by status; its filters (assignee, status, due before) live in the URL. */
export function TasksPage() {
  const { projectId = '' } = useParams();
  const { t } = useLanguage();
  const [params, setParams] = useSearchParams();
  const can = useCan(projectId);
  const [planning, setPlanning] = useState(false);
  const board = useTaskBoard(projectId);
  const names = useMemberNames(projectId);
  const assignee = params.get('assignee') ?? undefined;
  const status = params.get('status') ?? undefined;
  const dueBefore = params.get('dueBefore') ?? undefined;
  const opened = params.get('task') ?? undefined;
  const tasks = useMemo(
    () =>
      (board.data?.tasks ?? [])
        .filter((task) => !assignee || task.assigneeId === assignee)
        .filter((task) => !status || task.status === status)
        .filter((task) => !dueBefore || (task.dueDate !== null && task.dueDate <= dueBefore))
        .sort(boardOrder),
    [board.data, assignee, status, dueBefore],
  );
  if (board.isPending) return <PageLoading />;
  if (board.error) return <PageError error={board.error} retry={() => void board.refetch()} />;
  const assignees = [...new Set(board.data.tasks.map((task) => task.assigneeId).filter((a): a is string => a !== null))].sort();
  const set = (key: string, value: string | undefined) =>
    setParams((p) => {
      if (value) p.set(key, value);
      else p.delete(key);
      return p;
    });
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('tasks.title')}
        </Typography.Title>
        {can('task.plan') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setPlanning(true)} data-testid="plan-task">
            {t('tasks.plan')}
          </Button>
        )}
      </Space>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t('tasks.assignee')}
          placeholder={t('tasks.assignee')}
          allowClear
          style={{ minWidth: 180 }}
          value={assignee}
          onChange={(v) => set('assignee', v)}
          options={assignees.map((a) => ({ value: a, label: names.get(a) ?? a }))}
        />
        <Select
          aria-label={t('tasks.status')}
          placeholder={t('tasks.status')}
          allowClear
          style={{ minWidth: 160 }}
          value={status}
          onChange={(v) => set('status', v)}
          options={COLUMNS.map((c) => ({ value: c, label: t(`tasks.states.${c}`) }))}
        />
        {/* antd's picker, in the page's language and date format (the browser's own shows mm/dd/yyyy). */}
        <DatePicker
          aria-label={t('tasks.dueBefore')}
          placeholder={t('tasks.dueBefore')}
          value={dueBefore ? dayjs(dueBefore) : null}
          onChange={(d) => set('dueBefore', d ? d.format('YYYY-MM-DD') : undefined)}
          format={[t('tasks.dateFormat'), 'YYYY-MM-DD']}
          style={{ width: 190 }}
          data-testid="due-filter"
        />
      </Space>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))', gap: 16, alignItems: 'start' }}>
        {COLUMNS.map((column) => (
          <section key={column} aria-label={t(`tasks.states.${column}`)} data-testid={`column-${column}`}>
            <Typography.Title level={2} style={{ fontSize: 16 }}>
              {t(`tasks.states.${column}`)} ({tasks.filter((task) => task.status === column).length})
            </Typography.Title>
            <Space direction="vertical" style={{ width: '100%' }}>
              {tasks
                .filter((task) => task.status === column)
                .map((task) => (
                  <TaskItem
                    key={task.taskId}
                    task={task}
                    projectId={projectId}
                    assignee={task.assigneeId ? (names.get(task.assigneeId) ?? task.assigneeId) : null}
                    onOpen={() => set('task', task.taskId)}
                  />
                ))}
            </Space>
          </section>
        ))}
      </div>
      <TaskDrawer projectId={projectId} taskId={opened} names={names} onClose={() => set('task', undefined)} />
      {planning && (
        <PlanTaskDialog
          projectId={projectId}
          names={names}
          onClose={(taskId) => {
            setPlanning(false);
            if (taskId) set('task', taskId);
          }}
        />
      )}
    </>
  );
}

function TaskItem(props: { task: TaskCard; projectId: string; assignee: string | null; onOpen: () => void }) {
  const { task, projectId, assignee } = props;
  const { t, language } = useLanguage();
  const can = useCan(projectId);
  const act = useTaskAction(projectId);
  const [notice, holder] = message.useMessage();
  const run = (action: TaskAction) =>
    act.mutate(
      { taskId: task.taskId, action },
      { onError: (e) => void notice.error(e.message), onSuccess: () => void notice.success(t('actions.saved')) },
    );
  const work = can('task.work', task.assigneeId);
  return (
    <Card
      size="small"
      data-testid={`task-${task.taskId}`}
      // A long title wraps instead of being cut; it opens the task's drawer.
      title={
        <Button type="link" onClick={props.onOpen} className="task-title" data-testid="task-open">
          {task.title}
        </Button>
      }
      styles={{ title: { whiteSpace: 'normal', overflow: 'visible' } }}
    >
      {holder}
      <div>
        {t('tasks.assignee')}: {assignee ?? '—'}
      </div>
      <div>
        {t('tasks.due')}: {formatDate(task.dueDate, language)}
      </div>
      <Space wrap style={{ marginTop: 4 }}>
        {task.overdue && (
          <ToneTag tone="bad" icon={<ClockCircleOutlined />}>
            {t('tasks.overdue', { days: task.daysOverdue })}
          </ToneTag>
        )}
        {task.status === 'blocked' && (
          <ToneTag tone="warning" icon={<StopOutlined />}>
            {t('tasks.blocked', { reason: task.blockedReason ?? '' })}
          </ToneTag>
        )}
        <ToneTag tone="neutral">{`${task.percent}%`}</ToneTag>
      </Space>
      {work && task.status !== 'completed' && task.status !== 'cancelled' && (
        <Space wrap style={{ marginTop: 8 }}>
          {task.status === 'planned' && (
            <Button size="small" onClick={() => run({ kind: 'start' })} loading={act.isPending}>
              {t('tasks.start')}
            </Button>
          )}
          {task.status === 'blocked' ? (
            <Button size="small" onClick={() => run({ kind: 'unblock' })} loading={act.isPending}>
              {t('tasks.unblock')}
            </Button>
          ) : (
            <Button
              size="small"
              onClick={() => run({ kind: 'block', reason: window.prompt(t('actions.reason')) ?? '' })}
              loading={act.isPending}
            >
              {t('tasks.block')}
            </Button>
          )}
          {task.status === 'in_progress' && (
            <Button size="small" type="primary" onClick={() => run({ kind: 'complete' })} loading={act.isPending}>
              {t('tasks.complete')}
            </Button>
          )}
        </Space>
      )}
    </Card>
  );
}
