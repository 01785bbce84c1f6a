import { NotContains } from 'class-validator';

/**
 * Postgres text cannot hold U+0000, so a customer id carrying it would fail in the database (a 500)
 * instead of being refused at the edge. Every other character is kept as sent.
 */
/** What the documents say of a customer id: exactly what the validators below and beside it enforce. */
export const CUSTOMER_ID_DOCS = { example: 'customer-42', minLength: 1, maxLength: 100, pattern: '^[^\\u0000]+$' } as const;

export const HasNoNulCharacter = () => NotContains('\u0000', { message: 'customerId must not contain the NUL character (U+0000)' });
