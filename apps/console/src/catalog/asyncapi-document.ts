import type { CatalogEvent } from './event-catalog';

/**
 * The catalog as an AsyncAPI 3.0 document: one channel per SNS topic, one message per event type
 * (the CloudEvents envelope with the contract's payload), a `send` operation per producer and a
 * `receive` operation per consumer, with its queue and subscription filter.
 */
export function asyncApiDocument(events: readonly CatalogEvent[], info: { title: string; version: string }): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const event of events) {
    const channelId = event.topicName.replace(/\./g, '-');
    const channel = (channels[channelId] ??= {
      address: event.topicName,
      title: `${event.topic} topic${event.fifo ? ' (FIFO)' : ''}`,
      description: `SNS topic ${event.topicName}${event.fifo ? ': FIFO, ordered per message group (the event subject)' : ''}.`,
      messages: {},
    }) as { messages: Record<string, unknown> };
    channel.messages[event.type] = { $ref: `#/components/messages/${event.type}` };
    messages[event.type] = {
      name: event.type,
      title: `${event.name} v${event.version}`,
      contentType: 'application/json',
      summary: `Published by ${event.producers.join(', ') || 'no service'}; consumed by ${event.consumers.map((consumer) => consumer.service).join(', ') || 'no service'}.`,
      payload: event.messageSchema,
      'x-fifo': event.fifo,
    };
    const reference = { channel: { $ref: `#/channels/${channelId}` }, messages: [{ $ref: `#/channels/${channelId}/messages/${event.type}` }] };
    for (const producer of event.producers) {
      operations[`${producer}-sends-${event.type}`] = { action: 'send', title: `${producer} publishes ${event.type}`, ...reference };
    }
    for (const consumer of event.consumers) {
      operations[`${consumer.service}-receives-${event.type}`] = {
        action: 'receive',
        title: `${consumer.service} handles ${event.type}`,
        description: `From SQS queue ${consumer.queue}, subscribed with the filter policy ${JSON.stringify(consumer.filterPolicy)}.`,
        ...reference,
        'x-queue': consumer.queue,
        'x-filter-policy': consumer.filterPolicy,
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: { title: info.title, version: info.version, description: 'Events of the shop: CloudEvents 1.0 envelopes on SNS topics, fanned out to one SQS queue per consuming service.' },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
