import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

export interface BrowseOptions {
  /** How long each received message stays hidden from the next receive (and from everyone else). */
  holdSeconds: number;
  /** Long polling asks every SQS host, so an empty answer means the queue really has nothing visible. */
  waitSeconds: number;
}

/**
 * Reads a queue without consuming it. Each receive hides what it returned for `holdSeconds`, so the
 * next receive returns messages not seen yet; `release()` makes whatever was not deleted visible
 * again at once. A reader that dies keeps messages hidden for `holdSeconds` at most, never loses one.
 *
 * On a FIFO queue, messages of a group behind the ones held stay out of reach until those are
 * deleted or released, so browsing sees the head of each group.
 */
export class QueueBrowser {
  /** Message id → its latest receipt handle, for every message held and not yet deleted. */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly sqs: SQSClient,
    readonly queueUrl: string,
    private readonly options: BrowseOptions,
  ) {}

  /** The next messages not seen before; `undefined` once the queue has nothing visible left. */
  async next(): Promise<Message[] | undefined> {
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: this.options.holdSeconds,
        WaitTimeSeconds: this.options.waitSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return undefined;
    // A hold that ran out, or at-least-once delivery, can hand back a message already seen.
    const fresh = Messages.filter((message) => !this.held.has(message.MessageId ?? ''));
    for (const message of Messages) this.held.set(message.MessageId ?? '', message.ReceiptHandle ?? '');
    return fresh;
  }

  /** The message was deleted: nothing to release. */
  forget(messageId: string): void {
    this.held.delete(messageId);
  }

  /** Makes every held message visible again. Failures are ignored: a handle that expired is already visible. */
  async release(): Promise<void> {
    const handles = [...this.held.values()];
    this.held.clear();
    for (let start = 0; start < handles.length; start += 10) {
      await this.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: handles.slice(start, start + 10).map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        )
        .catch(() => undefined);
    }
  }
}

export interface QueueDepth {
  /** Visible, waiting to be received. */
  visible: number;
  /** Received by someone and not yet deleted (or held by a browser). */
  inFlight: number;
  delayed: number;
}

/** SQS's approximate counters: eventually consistent, good for a dashboard, not for arithmetic. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
