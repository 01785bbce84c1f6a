import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';

/**
 * Keeps the messages the consumer holds invisible to other replicas for as long as it holds them:
 * every `VISIBILITY_TIMEOUT_SECONDS / 3` it extends each held message's visibility back to the full
 * timeout. A message is held from its receive until it settles (acknowledged, or left on the queue
 * for a retry), whether it is running, queued behind others (prefetched, or later in its FIFO group)
 * or waiting out a database outage. A message left for a delayed retry or handed back is released
 * first (`releaseForChange`), and its own visibility change waits for any extension already on its
 * way, so the heartbeat never overrides a retry delay.
 */
export class VisibilityHeartbeat {
  private readonly logger = new Logger(VisibilityHeartbeat.name);
  private readonly held = new Set<Message>();
  private timer?: NodeJS.Timeout;
  /** Extensions sent and not answered yet. */
  private readonly extending = new Set<Promise<void>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: () => string,
    private readonly visibilityTimeoutSeconds: number,
  ) {}

  hold(messages: readonly Message[]): void {
    for (const message of messages) this.held.add(message);
    if (!this.timer && this.held.size > 0) {
      this.timer = setInterval(() => void this.extendHeld(), Math.max(1, Math.floor(this.visibilityTimeoutSeconds / 3)) * 1000);
      this.timer.unref();
    }
  }

  release(message: Message): void {
    this.held.delete(message);
    if (this.held.size === 0) this.stop();
  }

  /**
   * Releases `message` and resolves once no extension that may include it is still on its way: a
   * visibility change sent after this (a retry delay, a hand-back) is the last SQS hears of it. An
   * extension read its messages when it started; answered after a retry delay was set, it would
   * have put the full timeout back.
   */
  async releaseForChange(message: Message): Promise<void> {
    this.release(message);
    await Promise.all(this.extending);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Extends every message held now; tracked until answered, so releaseForChange can wait for it. */
  extendHeld(): Promise<void> {
    const extension = this.extend().finally(() => this.extending.delete(extension));
    this.extending.add(extension);
    return extension;
  }

  private async extend(): Promise<void> {
    const messages = [...this.held];
    for (let start = 0; start < messages.length; start += 10) {
      // A message released while earlier chunks were sent is no longer extended.
      const chunk = messages.slice(start, start + 10).filter((message) => this.held.has(message));
      if (chunk.length === 0) continue;
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
