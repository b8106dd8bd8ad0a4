import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { LanguageSwitch } from '../../../components/language-switch';
import { request } from '../../../lib/api/client';
import { useLanguage } from '../../../lib/i18n';

/**
 * The page an invitation or a password reset links to (`/invitation?token=…`,
 * `/password-reset?token=…`): the person chooses a password; an invitation also signs them in.
 */
export function SetPasswordPage({ kind }: { kind: 'invitation' | 'reset' }) {
  const { t } = useLanguage();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const token = params.get('token') ?? '';
  const submit = useMutation({
    mutationFn: (v: { password: string; name?: string }) =>
      kind === 'invitation'
        ? request<void>('POST', '/auth/invitations/accept', { token, password: v.password, ...(v.name ? { name: v.name } : {}) })
        : request<void>('POST', '/auth/password-reset', { token, password: v.password }),
    onSuccess: () => {
      client.clear();
      navigate(kind === 'invitation' ? '/ui/projects' : '/sign-in', { replace: true });
    },
  });
  return (
    <main style={{ maxWidth: 420, margin: '64px auto', padding: 16 }}>
      <div style={{ textAlign: 'right' }}>
        <LanguageSwitch />
      </div>
      <Card>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {kind === 'invitation' ? t('signIn.invitationTitle') : t('signIn.resetTitle')}
        </Typography.Title>
        {submit.error && <Alert type="error" showIcon role="alert" title={submit.error.message} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={(v: { password: string; name?: string }) => submit.mutate(v)}>
          {kind === 'invitation' && (
            <Form.Item label={t('signIn.name')} name="name">
              <Input autoComplete="name" />
            </Form.Item>
          )}
          <Form.Item
            label={t('signIn.newPassword')}
            name="password"
            extra={t('signIn.passwordRule')}
            rules={[{ required: true, min: 10, message: t('signIn.passwordRule') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submit.isPending}>
            {t('signIn.submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
