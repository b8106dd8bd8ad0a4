import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../../lib/api/client';
import { useCommand } from '../../../lib/api/command';
import type { Alert } from '../../../lib/api/types';

/**
 * Alerts acknowledged from this page. The inbox is a read model that applies the acknowledgement a
 * moment after the API accepted it (and offers no read-your-writes yet), so until it has, the page
 * keeps them out of the unacknowledged list and the badge itself.
 */
const acknowledgedHere = new Set<string>();

export const inboxQuery = (acknowledged?: boolean) =>
  queryOptions({
    queryKey: ['alerts', 'inbox', acknowledged ?? 'all'],
    queryFn: async () => {
      const { alerts } = await unwrap<{ alerts: Alert[] }>(
        api.GET('/me/alerts', {
          params: {
            query: { limit: 500, ...(acknowledged === undefined ? {} : { acknowledged: String(acknowledged) as 'true' | 'false' }) },
          },
        }),
      );
      for (const alert of alerts) if (alert.acknowledged) acknowledgedHere.delete(alert.alertId);
      return acknowledged === false ? alerts.filter((a) => !acknowledgedHere.has(a.alertId)) : alerts;
    },
  });

export const useInbox = (acknowledged?: boolean) => useQuery(inboxQuery(acknowledged));

/** The header badge: unacknowledged alerts in the person's inbox. */
export function useUnacknowledgedCount(): number | undefined {
  return useQuery({ ...inboxQuery(false), select: (alerts) => alerts.length }).data;
}

export function useAcknowledge() {
  const client = useQueryClient();
  return useCommand(
    ({ alertId, note }: { alertId: string; note?: string; etag?: string }, headers) =>
      unwrap(api.POST('/alerts/{alertId}/acknowledgement', { params: { path: { alertId } }, body: { note: note ?? '' }, headers })),
    {
      onSuccess: (_, { alertId }) => {
        acknowledgedHere.add(alertId);
        client.setQueryData<Alert[]>(inboxQuery(false).queryKey, (alerts) => alerts?.filter((a) => a.alertId !== alertId));
        // Read again once the read model has caught up, for the acknowledged list and other changes.
        setTimeout(() => void client.invalidateQueries({ queryKey: ['alerts'] }), 1500);
      },
    },
  );
}
