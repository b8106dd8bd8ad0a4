import { ALERT_EVENT_TYPES } from '@planledger/contracts';
import type { JsonObject, StoredEvent } from '@planledger/event-store';
import type { Projection } from '@planledger/projections';

/** Alerts as the inbox shows them: one document per alert event, with its acknowledgement and escalation. */
export interface AlertDoc {
  alertId: string;
  type: string;
  projectId: string;
  goalId: string | null;
  taskId: string | null;
  data: JsonObject;
  raisedAt: string;
  position: string;
  acknowledged: { by: string; at: string; note: string } | null;
  escalation: { to: string[]; at: string; afterMinutes: number } | null;
}

/** Alert event types that open an inbox entry; an escalation also marks the entry it escalates. */
export const INBOX_ALERT_TYPES = ALERT_EVENT_TYPES;

export const alertsProjection: Projection<AlertDoc & JsonObject> = {
  name: 'alerts',
  version: 1,
  eventTypes: [...INBOX_ALERT_TYPES, 'AlertAcknowledged'],
  keysOf: (event) => {
    if (event.type === 'AlertAcknowledged') return [String(event.data['alertId'])];
    if (event.type === 'AlertEscalated') return [String(event.data['alertId']), event.eventId];
    return [event.eventId];
  },
  evolve: (doc, event, key) => {
    if (event.type === 'AlertAcknowledged')
      return doc && { ...doc, acknowledged: { by: event.metadata.actor, at: event.recordedAt, note: String(event.data['note'] ?? '') } };
    if (event.type === 'AlertEscalated' && key !== event.eventId)
      return (
        doc && {
          ...doc,
          escalation: { to: event.data['to'] as string[], at: event.recordedAt, afterMinutes: Number(event.data['afterMinutes']) },
        }
      );
    return newAlertDoc(event) as AlertDoc & JsonObject;
  },
};

export function newAlertDoc(event: StoredEvent): AlertDoc {
  const projectId = typeof event.metadata.projectId === 'string' ? event.metadata.projectId : String(event.data['projectId']);
  return {
    alertId: event.eventId,
    type: event.type,
    projectId,
    goalId: typeof event.data['goalId'] === 'string' ? event.data['goalId'] : null,
    taskId: typeof event.data['taskId'] === 'string' ? event.data['taskId'] : null,
    data: event.data,
    raisedAt: event.recordedAt,
    position: event.position,
    acknowledged: null,
    escalation: null,
  };
}

/** Deliveries as the dead-letter list shows them: one document per alert and subscription. */
export interface DeliveryDoc {
  deliveryId: string;
  alertId: string;
  projectId: string;
  subscriptionId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  error: string | null;
  /** The kind of the last failure and the receiver's status, when it answered. */
  category: string | null;
  statusCode: number | null;
  retries: number;
  updatedAt: string;
}

export const deliveriesProjection: Projection<DeliveryDoc & JsonObject> = {
  name: 'deliveries',
  version: 2,
  eventTypes: ['AlertDelivered', 'AlertDeliveryFailed', 'AlertDeliveryRetryRequested'],
  keysOf: (event) => [String(event.data['deliveryId'])],
  evolve: (doc, event) => {
    const d = event.data;
    const base: DeliveryDoc = doc ?? {
      deliveryId: String(d['deliveryId']),
      alertId: String(d['alertId']),
      projectId: String(d['projectId']),
      subscriptionId: String(d['subscriptionId']),
      status: 'pending',
      attempts: 0,
      error: null,
      category: null,
      statusCode: null,
      retries: 0,
      updatedAt: event.recordedAt,
    };
    switch (event.type) {
      case 'AlertDelivered':
        return {
          ...base,
          status: 'delivered',
          attempts: Number(d['attempts']),
          error: null,
          category: null,
          statusCode: null,
          updatedAt: event.recordedAt,
        } as DeliveryDoc & JsonObject;
      case 'AlertDeliveryFailed':
        return {
          ...base,
          status: 'failed',
          attempts: Number(d['attempts']),
          error: String(d['error']),
          category: typeof d['category'] === 'string' ? d['category'] : null,
          statusCode: typeof d['statusCode'] === 'number' ? d['statusCode'] : null,
          updatedAt: event.recordedAt,
        } as DeliveryDoc & JsonObject;
      default:
        return { ...base, status: 'pending', retries: base.retries + 1, updatedAt: event.recordedAt } as DeliveryDoc & JsonObject;
    }
  },
};
