import { z } from 'zod';

/** A quantity of one SKU, as the stock events carry it. */
export const stockLineSchema = z.object({ sku: z.string().min(1), quantity: z.int().positive() });
