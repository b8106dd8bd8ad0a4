import { Alert, Button, Descriptions, Drawer, Empty, Form, Input, List, Select, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ConflictNotice, problemOf } from '../../../components/conflict-notice';
import { ApiError } from '../../../lib/api/client';
import type { HistoryEntry, TaskDetail } from '../../../lib/api/types';
import { formatDate, formatMomentIn, type Language } from '../../../lib/format';
import { useLanguage } from '../../../lib/i18n';
import { useCan } from '../../auth/api/get-me';
import { useProjectTimeZone } from '../../projects/api/get-projects';
import { useAssignTask, useTask, useTaskHistory } from '../api/tasks';

type Names = ReadonlyMap<string, string>;
type T = ReturnType<typeof useLanguage>['t'];

/** What one history entry changed, in words: "Wang Fang → Zhao Lei", "due 15 Nov 2026 → 22 Nov 2026", "40%". */
function changeOf(entry: HistoryEntry, names: Names, language: Language, t: T): string | undefined {
  const who = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? id) : '—');
  switch (entry.type) {
    case 'TaskPlanned':
      return [
        entry.data['assigneeId'] && who(entry.data['assigneeId']),
        `${t('tasks.due')} ${formatDate(String(entry.data['dueDate']), language)}`,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'TaskAssigned':
      return `${who(entry.before)} → ${who(entry.after)}`;
    case 'TaskDueDateMoved':
      return `${formatDate(String(entry.before), language)} → ${formatDate(String(entry.after), language)}`;
    case 'TaskProgressReported':
      return `${String(entry.data['percent'])}%${entry.data['note'] ? ` · ${String(entry.data['note'])}` : ''}`;
    default:
      return typeof entry.data['note'] === 'string' && entry.data['note'] ? entry.data['note'] : undefined;
  }
}

/**
 * A task's details and its whole history (who, when, what and why), opened from the board; the
 * person may hand it to someone else from here when GET /me lets them plan tasks.
 */
export function TaskDrawer({
  projectId,
  taskId,
  names,
  onClose,
}: {
  projectId: string;
  taskId: string | undefined;
  names: Names;
  onClose: () => void;
}) {
  const { t, language } = useLanguage();
  const task = useTask(projectId, taskId);
  const history = useTaskHistory(projectId, taskId);
  const timeZone = useProjectTimeZone(projectId) ?? 'UTC';
  const can = useCan(projectId);
  const [assigning, setAssigning] = useState(false);
  useEffect(() => setAssigning(false), [taskId]);
  const data = task.data;
  const who = (id: string | undefined) => (id ? (names.get(id) ?? id) : '—');
  const open = data !== undefined && data.status !== 'completed' && data.status !== 'cancelled';

  return (
    <Drawer open={taskId !== undefined} onClose={onClose} size={520} title={data?.title ?? ''} destroyOnHidden data-testid="task-drawer">
      {task.isPending && <Spin />}
      {task.error && <Alert type="error" showIcon title={task.error.message} />}
      {data && (
        <>
          <Descriptions size="small" column={1} bordered data-testid="task-details">
            <Descriptions.Item label={t('tasks.status')}>{t(`tasks.states.${data.status}`)}</Descriptions.Item>
            <Descriptions.Item label={t('tasks.assignee')}>
              <span data-testid="task-assignee" data-value={data.assigneeId ?? ''}>
                {who(data.assigneeId)}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('tasks.due')}>{formatDate(data.dueDate, language)}</Descriptions.Item>
            <Descriptions.Item label={t('tasks.percent')}>{`${data.percent}%`}</Descriptions.Item>
            {data.estimateHours !== undefined && (
              <Descriptions.Item label={t('tasks.estimate')}>{t('tasks.hours', { hours: data.estimateHours })}</Descriptions.Item>
            )}
            {data.goalId && (
              <Descriptions.Item label={t('tasks.goal')}>
                <Link to={`/ui/projects/${encodeURIComponent(projectId)}?goal=${encodeURIComponent(data.goalId)}`}>{data.goalId}</Link>
              </Descriptions.Item>
            )}
            {data.blockedReason && <Descriptions.Item label={t('tasks.states.blocked')}>{data.blockedReason}</Descriptions.Item>}
            {data.description && <Descriptions.Item label={t('tasks.description')}>{data.description}</Descriptions.Item>}
          </Descriptions>
          {open && can('task.plan') && !assigning && (
            <Button style={{ marginTop: 12 }} onClick={() => setAssigning(true)} data-testid="reassign">
              {data.assigneeId ? t('tasks.reassign') : t('tasks.assign')}
            </Button>
          )}
          {assigning && <AssignForm task={data} projectId={projectId} names={names} onDone={() => setAssigning(false)} />}
        </>
      )}
      <Typography.Title level={3} style={{ fontSize: 16, marginTop: 24 }}>
        {t('tasks.history')}
      </Typography.Title>
      <List<HistoryEntry>
        data-testid="task-history"
        loading={history.isPending && taskId !== undefined}
        dataSource={[...(history.data ?? [])].reverse()}
        locale={{ emptyText: <Empty description={t('tasks.noHistory')} /> }}
        renderItem={(entry) => (
          <List.Item data-testid={`history-${entry.type}`}>
            <List.Item.Meta
              title={
                <Space wrap size={4}>
                  <strong>{t(`tasks.events.${entry.type}`, { defaultValue: entry.type })}</strong>
                  <span>{changeOf(entry, names, language, t)}</span>
                </Space>
              }
              description={
                <>
                  <div>
                    {formatMomentIn(entry.recordedAt, language, timeZone)} · {entry.actor.replace(/^user:/, '')}
                  </div>
                  {entry.reason && (
                    <div data-testid="history-reason">
                      {t('actions.reason')}: {entry.reason}
                    </div>
                  )}
                </>
              }
            />
          </List.Item>
        )}
      />
    </Drawer>
  );
}

/**
 * Assigns or reassigns the task with the If-Match of the task as the drawer showed it; a 412 (a
 * colleague moved it first) shows who has it now and writes nothing until the person sends it again.
 */
function AssignForm({ task, projectId, names, onDone }: { task: TaskDetail; projectId: string; names: Names; onDone: () => void }) {
  const { t } = useLanguage();
  const [form] = Form.useForm<{ assigneeId?: string; reason?: string }>();
  // The version the person began from; a live refresh of the task must not move it.
  const [seen, setSeen] = useState<TaskDetail>(task);
  const [now, setNow] = useState<TaskDetail | undefined>();
  const current = useTask(projectId, task.taskId);
  const assign = useAssignTask(projectId);
  const conflict = assign.error instanceof ApiError && assign.error.status === 412;
  const { fields, message } = problemOf(conflict ? undefined : assign.error, ['assigneeId', 'reason']);
  const handsOver = seen.assigneeId !== undefined;

  useEffect(() => {
    if (conflict) void current.refetch().then((r) => setNow(r.data));
  }, [conflict]);

  const send = (values: { assigneeId?: string; reason?: string }, base: TaskDetail) =>
    assign.mutate(
      {
        taskId: base.taskId,
        etag: base.etag,
        assigneeId: values.assigneeId ?? '',
        reason: values.reason?.trim() || undefined,
        reassign: base.assigneeId !== undefined,
      },
      { onSuccess: onDone },
    );

  const redo = async () => {
    const fresh = (await current.refetch()).data;
    if (!fresh) return;
    setSeen(fresh);
    send(form.getFieldsValue(), fresh);
  };

  const item = (name: string) => ({ validateStatus: fields[name] ? ('error' as const) : undefined, help: fields[name] });
  const who = (id: string | undefined) => (id ? (names.get(id) ?? id) : '—');
  return (
    <div style={{ marginTop: 16 }} data-testid="assign-form">
      {conflict && (
        <ConflictNotice
          rows={[{ label: t('tasks.assignee'), now: now && who(now.assigneeId), yours: who(form.getFieldValue('assigneeId')) }]}
          onRedo={() => void redo()}
          pending={assign.isPending}
        />
      )}
      {message && !conflict && <Alert type="error" showIcon role="alert" title={message} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" onFinish={(values) => send(values, seen)}>
        <Form.Item
          label={handsOver ? t('tasks.newAssignee') : t('tasks.assignee')}
          name="assigneeId"
          rules={[{ required: true, message: t('actions.required') }]}
          {...item('assigneeId')}
        >
          <Select
            data-testid="assignee-select"
            showSearch={{ optionFilterProp: 'label' }}
            options={[...names].filter(([id]) => id !== seen.assigneeId).map(([id, name]) => ({ value: id, label: name }))}
          />
        </Form.Item>
        <Form.Item
          label={t('actions.reason')}
          name="reason"
          rules={handsOver ? [{ required: true, message: t('actions.required') }] : []}
          {...item('reason')}
        >
          <Input.TextArea rows={2} data-testid="assign-reason" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={assign.isPending} disabled={conflict} data-testid="assign-save">
            {t('actions.save')}
          </Button>
          <Button onClick={onDone}>{t('actions.cancel')}</Button>
        </Space>
      </Form>
    </div>
  );
}
