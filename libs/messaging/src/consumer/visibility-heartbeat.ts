import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';

/**
 * Keeps the messages the consumer holds invisible to other replicas for as long as it holds them:
 * every `VISIBILITY_TIMEOUT_SECONDS / 3` it extends each held message's visibility back to the full
 * timeout. A message is held from its receive until it settles (acknowledged, or left on the queue
 * for a retry), whether it is running, queued behind others (prefetched, or later in its FIFO group)
 * or waiting out a database outage; a message left for a delayed retry is released first, so the
 * heartbeat never overrides its retry delay.
 */
export class VisibilityHeartbeat {
  private readonly logger = new Logger(VisibilityHeartbeat.name);
  private readonly held = new Set<Message>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
    private readonly visibilityTimeoutSeconds: number,
  ) {}

  hold(messages: readonly Message[]): void {
    for (const message of messages) this.held.add(message);
    if (!this.timer && this.held.size > 0) {
      this.timer = setInterval(() => void this.extend(), Math.max(1, Math.floor(this.visibilityTimeoutSeconds / 3)) * 1000);
      this.timer.unref();
    }
  }

  release(message: Message): void {
    this.held.delete(message);
    if (this.held.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async extend(): Promise<void> {
    const messages = [...this.held];
    for (let start = 0; start < messages.length; start += 10) {
      const chunk = messages.slice(start, start + 10);
      await this.sqs
        .send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.queueUrl(),
            Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: this.visibilityTimeoutSeconds })),
          }),
        )
        .catch((error: unknown) => this.logger.warn({ err: error, messages: chunk.length }, 'Could not extend the visibility of messages in hand'));
    }
  }
}
