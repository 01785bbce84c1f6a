import { DeleteMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';

interface PendingAck {
  message: Message;
  done: () => void;
}

/** How long a settled message may wait for others to share its DeleteMessageBatch. */
const LINGER_MS = 10;

/**
 * Deletes settled messages from the queue, up to ten per DeleteMessageBatch: the messages that
 * settle within a few milliseconds of each other, from one receive or several, share a call. A delete
 * that fails is logged and not retried: the message comes back when its visibility lapses, and the
 * inbox recognises it.
 */
export class Acknowledger {
  private readonly logger = new Logger(Acknowledger.name);
  private pending: PendingAck[] = [];
  private scheduled = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
  ) {}

  /** Resolves once the delete was sent and answered (whatever the answer). */
  acknowledge(message: Message): Promise<void> {
    return new Promise<void>((done) => {
      this.pending.push({ message, done });
      if (this.pending.length >= 10) this.flushFull();
      else if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => this.flush(), LINGER_MS);
      }
    });
  }

  /** Ten are waiting: they go now; a remainder keeps its timer. */
  private flushFull(): void {
    while (this.pending.length >= 10) void this.delete(this.pending.splice(0, 10));
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 10);
      void this.delete(batch);
    }
  }

  private async delete(batch: PendingAck[]): Promise<void> {
    try {
      const { Failed = [] } = await this.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl(), Entries: batch.map(({ message }, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }),
      );
      if (Failed.length > 0) this.logger.warn({ failed: Failed }, 'Some handled messages could not be deleted; they will be redelivered and skipped by the inbox');
    } catch (error) {
      this.logger.warn({ err: error, messages: batch.length }, 'Could not delete handled messages; they will be redelivered and skipped by the inbox');
    } finally {
      batch.forEach(({ done }) => done());
    }
  }
}
