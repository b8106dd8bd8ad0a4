import { Alert, Button, Card, Divider, Form, Input, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { LanguageSwitch } from '../../../components/language-switch';
import { PageLoading } from '../../../components/page-state';
import { useLanguage } from '../../../lib/i18n';
import { useAuthMethods } from '../api/get-me';
import { usePasswordSignIn, useTokenSignIn } from '../api/sign-in';

/** Only same-site paths: a returnTo naming another origin would make this page an open redirect. */
function safeReturn(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/ui/projects';
}

export function SignInPage() {
  const { t } = useLanguage();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const returnTo = safeReturn(params.get('returnTo'));
  const methods = useAuthMethods();
  const token = useTokenSignIn();
  const password = usePasswordSignIn();
  const done = () => navigate(returnTo, { replace: true });
  const failure = token.error ?? password.error;
  if (methods.isPending) return <PageLoading />;
  // Without an answer, offer the token form: the API says what is wrong when it is refused.
  const m = methods.data ?? { oidc: false, local: false, token: true };
  return (
    <main style={{ maxWidth: 420, margin: '64px auto', padding: 16 }}>
      <div style={{ textAlign: 'right' }}>
        <LanguageSwitch />
      </div>
      <Card>
        <Typography.Title level={1} style={{ fontSize: 24 }}>
          {t('signIn.title')}
        </Typography.Title>
        {failure && (
          <Alert type="error" showIcon role="alert" title={t('signIn.failed', { message: failure.message })} style={{ marginBottom: 16 }} />
        )}
        {m.oidc && (
          <Button type="primary" block href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`}>
            {t('signIn.provider')}
          </Button>
        )}
        {m.local && (
          <>
            {m.oidc && <Divider />}
            <Form layout="vertical" onFinish={(v: { login: string; password: string }) => password.mutate(v, { onSuccess: done })}>
              <Form.Item label={t('signIn.login')} name="login" rules={[{ required: true, message: t('actions.required') }]}>
                <Input autoComplete="username" />
              </Form.Item>
              <Form.Item label={t('signIn.password')} name="password" rules={[{ required: true, message: t('actions.required') }]}>
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={password.isPending}>
                {t('signIn.submit')}
              </Button>
            </Form>
          </>
        )}
        {m.token && (
          <>
            {(m.oidc || m.local) && <Divider />}
            <Form layout="vertical" onFinish={(v: { token: string }) => token.mutate(v.token.trim(), { onSuccess: done })}>
              <Form.Item
                label={t('signIn.token')}
                name="token"
                extra={t('signIn.tokenHelp')}
                rules={[{ required: true, message: t('actions.required') }]}
              >
                <Input.Password autoComplete="off" />
              </Form.Item>
              <Button htmlType="submit" block loading={token.isPending}>
                {t('signIn.tokenSubmit')}
              </Button>
            </Form>
          </>
        )}
        {!m.oidc && !m.local && !m.token && <Alert type="warning" title={t('signIn.none')} />}
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          {t('signIn.linkHint')}
        </Typography.Paragraph>
      </Card>
    </main>
  );
}
