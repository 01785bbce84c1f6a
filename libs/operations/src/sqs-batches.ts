import { DeleteMessageBatchCommand, SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS caps a batch at 10 entries and at 256 KiB of payload all together. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

export interface BatchFailure {
  id: string;
  reason: string;
}

export interface BatchOutcome {
  /** Ids (the entries' `Id`) SQS accepted. */
  sent: string[];
  failed: BatchFailure[];
}

/** Sends entries in as few SendMessageBatch calls as the limits allow; one entry's failure never stops the others. */
export async function sendInBatches(sqs: SQSClient, queueUrl: string, entries: readonly SendMessageBatchRequestEntry[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { sent: [], failed: [] };
  for (const batch of batchesOf(entries)) {
    try {
      const { Successful = [], Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch }));
      outcome.sent.push(...Successful.map((entry) => entry.Id ?? ''));
      outcome.failed.push(...Failed.map((entry) => ({ id: entry.Id ?? '', reason: `${entry.Code}: ${entry.Message ?? ''}` })));
    } catch (error) {
      outcome.failed.push(...batch.map((entry) => ({ id: entry.Id ?? '', reason: (error as Error).message })));
    }
  }
  return outcome;
}

export async function deleteInBatches(sqs: SQSClient, queueUrl: string, entries: readonly { id: string; receiptHandle: string }[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { sent: [], failed: [] };
  for (let start = 0; start < entries.length; start += MAX_ENTRIES) {
    const batch = entries.slice(start, start + MAX_ENTRIES);
    try {
      const { Successful = [], Failed = [] } = await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((entry) => ({ Id: entry.id, ReceiptHandle: entry.receiptHandle })) }),
      );
      outcome.sent.push(...Successful.map((entry) => entry.Id ?? ''));
      outcome.failed.push(...Failed.map((entry) => ({ id: entry.Id ?? '', reason: `${entry.Code}: ${entry.Message ?? ''}` })));
    } catch (error) {
      outcome.failed.push(...batch.map((entry) => ({ id: entry.id, reason: (error as Error).message })));
    }
  }
  return outcome;
}

function* batchesOf(entries: readonly SendMessageBatchRequestEntry[]): Generator<SendMessageBatchRequestEntry[]> {
  let batch: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (batch.length === MAX_ENTRIES || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** What SQS counts against the size limit: the body plus each attribute's name, type and value. */
function entryBytes(entry: SendMessageBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.MessageBody ?? '');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}
