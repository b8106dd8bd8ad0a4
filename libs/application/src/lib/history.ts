import type { HistoryEntry, ProjectHistoryQuery } from '@planledger/contracts';
import type { EventStore, StoredEvent } from '@planledger/event-store';

/** Events read per page while looking for matches, and at most per request before answering with `next`. */
const SCAN_PAGE = 1000;
const SCAN_LIMIT = 20_000;

const KINDS: [prefix: string, kind: HistoryEntry['kind']][] = [
  ['project-', 'project'],
  ['team-', 'team'],
  ['goal-', 'goal'],
  ['drift-', 'goal'],
  ['task-', 'task'],
];

/** Fields that name a team member anywhere in an event's data. */
const MEMBER_FIELDS = new Set(['memberId', 'assigneeId', 'handOverTo']);

function mentionsMember(value: unknown, memberId: string): boolean {
  if (Array.isArray(value)) return value.some((v) => mentionsMember(v, memberId));
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, v]) => (MEMBER_FIELDS.has(key) && v === memberId) || mentionsMember(v, memberId));
}

/**
 * Every change to a project, its team, goals and tasks, in the order they were recorded, from the
 * project's indexed history in the log (nothing is copied). Access grants are not part of it.
 */
export async function projectHistory(
  store: EventStore,
  projectId: string,
  query: ProjectHistoryQuery,
): Promise<{ entries: HistoryEntry[]; next: string | null }> {
  const entries: HistoryEntry[] = [];
  let after = query.after;
  for (let scanned = 0; scanned < SCAN_LIMIT; scanned += SCAN_PAGE) {
    const page = await store.readAll({ projectId, after, limit: SCAN_PAGE });
    for (const event of page.events) {
      after = event.position;
      const entry = toEntry(event);
      if (!entry || !matches(entry, event, query)) continue;
      entries.push(entry);
      if (entries.length === query.limit) return { entries, next: event.position };
    }
    if (page.events.length < SCAN_PAGE) return { entries, next: null };
  }
  // Long stretches without a match: answer what there is, and where to go on from.
  return { entries, next: after ?? null };
}

function toEntry(event: StoredEvent): HistoryEntry | undefined {
  const kind = KINDS.find(([prefix]) => event.streamId.startsWith(prefix))?.[1];
  if (!kind) return undefined;
  const data = event.data;
  const businessDate = typeof data['businessDate'] === 'string' ? data['businessDate'] : undefined;
  return {
    position: event.position,
    kind,
    type: event.type,
    streamId: event.streamId,
    actor: event.metadata.actor,
    correlationId: event.metadata.correlationId,
    ...originOf(event),
    recordedAt: event.recordedAt,
    occurredAt: businessDate ?? event.metadata.occurredAt,
    reason: typeof data['reason'] === 'string' ? data['reason'] : null,
    ...('before' in data ? { before: data['before'] } : {}),
    ...('after' in data ? { after: data['after'] } : {}),
    data,
  };
}

function originOf(event: StoredEvent): Pick<HistoryEntry, 'origin'> {
  const origin = event.metadata['origin'];
  if (origin === null || typeof origin !== 'object' || Array.isArray(origin) || origin['kind'] !== 'import') return {};
  const actorName = typeof origin['actorName'] === 'string' ? origin['actorName'] : null;
  return { origin: { kind: 'import', fileName: String(origin['fileName'] ?? ''), actorName } };
}

function matches(entry: HistoryEntry, event: StoredEvent, query: ProjectHistoryQuery): boolean {
  if (query.kind && entry.kind !== query.kind) return false;
  if (query.actor && entry.actor !== query.actor) return false;
  if (query.goalId && event.data['goalId'] !== query.goalId) return false;
  if (query.taskId && event.data['taskId'] !== query.taskId) return false;
  if (query.memberId && !mentionsMember(event.data, query.memberId)) return false;
  const recorded = Date.parse(entry.recordedAt);
  if (query.from && recorded < Date.parse(query.from)) return false;
  if (query.to && recorded > Date.parse(query.to)) return false;
  return true;
}
