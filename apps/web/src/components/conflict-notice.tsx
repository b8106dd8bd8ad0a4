import { Alert, Button, Descriptions } from 'antd';
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api/client';
import { useLanguage } from '../lib/i18n';

export interface ConflictRow {
  label: string;
  /** What it is now, as a colleague left it; undefined while it is being read. */
  now: ReactNode;
  yours: ReactNode;
}

/**
 * Someone changed it first (412): nothing was written. Shows what it is now beside the person's
 * change, and sends the change again only when asked, on the current version.
 */
export function ConflictNotice({ rows, onRedo, pending }: { rows: readonly ConflictRow[]; onRedo: () => void; pending: boolean }) {
  const { t } = useLanguage();
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      data-testid="conflict"
      title={t('actions.conflictTitle')}
      style={{ marginBottom: 12 }}
      description={
        <>
          <p>{t('actions.conflictBody')}</p>
          <Descriptions size="small" column={1} bordered>
            {rows.flatMap((row) => [
              <Descriptions.Item key={`${row.label}-now`} label={`${t('actions.now')}: ${row.label}`}>
                <span data-testid="conflict-now">{row.now ?? '…'}</span>
              </Descriptions.Item>,
              <Descriptions.Item key={`${row.label}-yours`} label={`${t('actions.yours')}: ${row.label}`}>
                <span data-testid="conflict-yours">{row.yours}</span>
              </Descriptions.Item>,
            ])}
          </Descriptions>
          <Button type="primary" style={{ marginTop: 8 }} onClick={onRedo} loading={pending} data-testid="conflict-redo">
            {t('actions.redo')}
          </Button>
        </>
      }
    />
  );
}

/**
 * A refusal from the API for a form: the message of each field it names, to show beside that field,
 * and the message as one line above the form when it names none of the form's fields.
 */
export function problemOf(error: unknown, formFields: readonly string[]): { fields: Record<string, string>; message?: string } {
  if (!error) return { fields: {} };
  if (!(error instanceof ApiError)) return { fields: {}, message: (error as Error).message ?? String(error) };
  const fields = error.fieldErrors;
  const placed = Object.keys(fields).some((path) => formFields.includes(path));
  return { fields, message: placed ? undefined : error.message };
}
