import { Alert, DatePicker, Form, Input, InputNumber, Modal, Select } from 'antd';
import type dayjs from 'dayjs';
import { problemOf } from '../../../components/conflict-notice';
import { useLanguage } from '../../../lib/i18n';
import { useProjectProgress } from '../../overview/api/progress';
import { usePlanTask } from '../api/tasks';

interface Values {
  title?: string;
  dueDate?: dayjs.Dayjs;
  assigneeId?: string;
  goalId?: string;
  estimateHours?: number | null;
  description?: string;
}

const FIELDS = ['title', 'dueDate', 'assigneeId', 'goalId', 'estimateHours', 'description'];

/** Plans a new task: title, due date, and optionally who does it, the goal it serves and its estimate. */
export function PlanTaskDialog({
  projectId,
  names,
  onClose,
}: {
  projectId: string;
  names: ReadonlyMap<string, string>;
  onClose: (taskId?: string) => void;
}) {
  const { t } = useLanguage();
  const [form] = Form.useForm<Values>();
  const plan = usePlanTask(projectId);
  const goals = useProjectProgress(projectId).data?.goals.filter((g) => g.goalStatus === 'active') ?? [];
  const { fields, message } = problemOf(plan.error, FIELDS);
  const item = (name: string) => ({ validateStatus: fields[name] ? ('error' as const) : undefined, help: fields[name] });
  const required = [{ required: true, message: t('actions.required') }];

  const submit = (values: Values) =>
    plan.mutate(
      {
        title: values.title ?? '',
        dueDate: values.dueDate?.format('YYYY-MM-DD') ?? '',
        ...(values.description ? { description: values.description } : {}),
        ...(values.assigneeId ? { assigneeId: values.assigneeId } : {}),
        ...(values.goalId ? { goalId: values.goalId } : {}),
        ...(typeof values.estimateHours === 'number' ? { estimateHours: values.estimateHours } : {}),
      },
      { onSuccess: (result) => onClose(result.id) },
    );

  return (
    <Modal
      open
      title={t('tasks.plan')}
      onCancel={() => onClose()}
      okText={t('actions.save')}
      cancelText={t('actions.cancel')}
      onOk={() => form.submit()}
      okButtonProps={{ loading: plan.isPending }}
      destroyOnHidden
    >
      {message && <Alert type="error" showIcon role="alert" title={message} style={{ marginBottom: 12 }} />}
      <Form<Values> form={form} layout="vertical" onFinish={submit}>
        <Form.Item label={t('tasks.taskTitle')} name="title" rules={required} {...item('title')}>
          <Input data-testid="plan-title" />
        </Form.Item>
        <Form.Item label={t('tasks.due')} name="dueDate" rules={required} {...item('dueDate')}>
          <DatePicker style={{ width: '100%' }} data-testid="plan-due" />
        </Form.Item>
        <Form.Item label={t('tasks.assignee')} name="assigneeId" {...item('assigneeId')}>
          <Select
            allowClear
            data-testid="plan-assignee"
            showSearch={{ optionFilterProp: 'label' }}
            options={[...names].map(([id, name]) => ({ value: id, label: name }))}
          />
        </Form.Item>
        <Form.Item label={t('tasks.goal')} name="goalId" {...item('goalId')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={goals.map((g) => ({ value: g.goalId, label: g.title }))} />
        </Form.Item>
        <Form.Item label={t('tasks.estimate')} name="estimateHours" {...item('estimateHours')}>
          <InputNumber min={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label={t('tasks.description')} name="description" {...item('description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
