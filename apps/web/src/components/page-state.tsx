import { Alert, Button, Result, Spin } from 'antd';
import { ApiError } from '../lib/api/client';
import { useLanguage } from '../lib/i18n';

export function PageLoading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin size="large" />
    </div>
  );
}

/** A failed read: the API's own message, and a way to ask again. */
export function PageError({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useLanguage();
  if (error instanceof ApiError && error.status === 404)
    return <Result status="404" title={t('errors.notFound')} subTitle={error.message} />;
  return (
    <Alert
      type="error"
      showIcon
      title={t('errors.generic', { message: error instanceof Error ? error.message : String(error) })}
      action={retry && <Button onClick={retry}>{t('errors.retry')}</Button>}
    />
  );
}
