import { ApiProperty } from '@nestjs/swagger';
import type { MissingLine, StockLine } from './reservation-plan';

/** The documented shape of a reservation's lines (the jsonb columns hold plain objects). */
export class ReservedLineDto implements StockLine {
  @ApiProperty({ example: 'SKU-1' })
  sku: string;

  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;
}

export class MissingLineDto implements MissingLine {
  @ApiProperty({ example: 'SKU-RARE' })
  sku: string;

  @ApiProperty({ type: 'integer', description: 'Units the order asked for', example: 5 })
  requested: number;

  @ApiProperty({ type: 'integer', description: 'Units that were available', example: 1 })
  available: number;
}
