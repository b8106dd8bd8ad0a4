import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';

export type LiveState = 'connecting' | 'live' | 'away' | 'resumed';

/**
 * Follows the API's event stream for one project (the session cookie rides along, same origin) and
 * refreshes the views when anything happens. The browser's EventSource reconnects by itself and
 * sends Last-Event-ID, so the stream resumes after the last event seen; the page says when it is away.
 * One stream per tab: the browser allows only a few per origin.
 */
export function useLiveProject(projectId: string | undefined, after: string | null | undefined, enabled = true): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  const start = useRef(after);
  if (start.current === undefined || start.current === null) start.current = after;
  const ready = enabled && projectId !== undefined && start.current !== undefined;

  useEffect(() => {
    if (!ready) return;
    const query = new URLSearchParams({ projectId: projectId as string });
    if (start.current) query.set('after', start.current);
    const source = new EventSource(`/events/stream?${query}`, { withCredentials: true });
    let wasAway = false;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      // Events come in bursts (a batch import): one refresh per burst.
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        void client.invalidateQueries({
          predicate: (q) => q.queryKey.includes(projectId) || q.queryKey[0] === 'goal' || q.queryKey[0] === 'alerts',
        });
      }, 150);
    };
    source.onopen = () => setState(wasAway ? 'resumed' : 'live');
    source.onmessage = refresh;
    source.onerror = () => {
      wasAway = true;
      setState('away');
    };
    return () => {
      clearTimeout(pending);
      source.close();
    };
  }, [ready, projectId, client]);
  return state;
}
