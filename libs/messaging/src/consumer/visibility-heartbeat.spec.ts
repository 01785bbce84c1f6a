import { ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { VisibilityHeartbeat } from './visibility-heartbeat';

/** Records every command and answers each only when the spec says so, so the order SQS hears them in is the spec's. */
class HeldAnswers {
  readonly heard: string[] = [];
  private readonly answers: (() => void)[] = [];

  readonly client = {
    send: (command: ChangeMessageVisibilityBatchCommand | ChangeMessageVisibilityCommand) => {
      const entries = 'Entries' in command.input ? (command.input.Entries ?? []) : [command.input];
      this.heard.push(...entries.map((entry) => `${entry.ReceiptHandle}=${entry.VisibilityTimeout}`));
      return new Promise<void>((resolve) => this.answers.push(resolve));
    },
  } as unknown as SQSClient;

  answerAll(): void {
    this.answers.splice(0).forEach((answer) => answer());
  }
}

const messages = (count: number): Message[] => Array.from({ length: count }, (_, index) => ({ ReceiptHandle: `m${index}` }));

describe('VisibilityHeartbeat', () => {
  it('regression: a retry delay set while an extension is on its way is not undone by it', async () => {
    const sqs = new HeldAnswers();
    const heartbeat = new VisibilityHeartbeat(sqs.client, () => 'queue', 30);
    const [retried, other] = messages(2);
    heartbeat.hold([retried, other]);
    const extension = heartbeat.extendHeld();
    expect(sqs.heard).toEqual(['m0=30', 'm1=30']);

    let released = false;
    const release = heartbeat.releaseForChange(retried).then(() => (released = true));
    await Promise.resolve();
    // The extension that read m0 before its release has not been answered: the delay must wait.
    expect(released).toBe(false);
    sqs.answerAll();
    await Promise.all([extension, release]);
    expect(released).toBe(true);
    heartbeat.stop();
  });

  it('extends no message released while the earlier chunks of an extension were on their way', async () => {
    const sqs = new HeldAnswers();
    const heartbeat = new VisibilityHeartbeat(sqs.client, () => 'queue', 30);
    const held = messages(12);
    heartbeat.hold(held);
    const extension = heartbeat.extendHeld();
    expect(sqs.heard).toHaveLength(10);
    heartbeat.release(held[11]);
    sqs.answerAll();
    await new Promise((resolve) => setImmediate(resolve));
    sqs.answerAll();
    await extension;
    expect(sqs.heard).toEqual([...held.slice(0, 10).map((message) => `${message.ReceiptHandle}=30`), 'm10=30']);
    heartbeat.stop();
  });

  it('lets a change through at once when no extension is on its way', async () => {
    const sqs = new HeldAnswers();
    const heartbeat = new VisibilityHeartbeat(sqs.client, () => 'queue', 30);
    const [message] = messages(1);
    heartbeat.hold([message]);
    await expect(heartbeat.releaseForChange(message)).resolves.toBeUndefined();
    expect(sqs.heard).toEqual([]);
  });
});
