/** The console's SQS client with the deployment's names, for the queue operations of @app/operations. */
export const QUEUE_OPS = Symbol('QUEUE_OPS');
