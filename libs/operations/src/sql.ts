/** A service's outbox table in the shared database, quoted for the messaging library's reads. */
export const outboxTableOf = (schema: string) => `"${schema.replaceAll('"', '""')}".outbox_messages`;
