import { NotContains } from 'class-validator';

/**
 * Postgres text cannot hold U+0000, so a customer id carrying it would fail in the database (a 500)
 * instead of being refused at the edge. Every other character is kept as sent.
 */
export const HasNoNulCharacter = () => NotContains('\u0000', { message: 'customerId must not contain the NUL character (U+0000)' });
