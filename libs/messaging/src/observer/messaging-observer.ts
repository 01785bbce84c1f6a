import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export interface HandledRecord {
  eventId: string;
  type: string;
  correlationId: string;
  outcome: 'handled' | 'duplicate';
}

export interface PublishedRecord {
  eventId: string;
  type: string;
}

export interface DeadLetteredRecord {
  eventId?: string;
  type: string;
  code: string;
  reason: string;
}

type MessagingEvents = { handled: [HandledRecord]; published: [PublishedRecord]; deadLettered: [DeadLetteredRecord] };

/**
 * In-process notifications of what the messaging pipeline did, after it did it (handled means
 * committed). Tests await these through the handler spy instead of sleeping; an app may also use
 * them for its own instrumentation. Listeners must not throw.
 */
@Injectable()
export class MessagingObserver extends EventEmitter<MessagingEvents> {}
