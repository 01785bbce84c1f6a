import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Matches, Max, Min, NotContains, NotEquals } from 'class-validator';

export class SkuParams {
  @ApiProperty({ example: 'SKU-1', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' })
  sku: string;
}

export const MAX_STOCK_DELTA = 1_000_000_000;

export class StockAdjustmentDto {
  @ApiProperty({
    description: 'Units added to (positive: a delivery) or taken from (negative: breakage, a stock take) what is available; never 0',
    type: 'integer',
    example: 250,
    minimum: -MAX_STOCK_DELTA,
    maximum: MAX_STOCK_DELTA,
  })
  @IsInt()
  @NotEquals(0, { message: 'delta must not be 0' })
  @Min(-MAX_STOCK_DELTA)
  @Max(MAX_STOCK_DELTA)
  delta: number;

  @ApiProperty({ description: 'Why the stock changed, kept with the adjustment', example: 'delivery 2026-12-01', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  // Postgres text cannot hold U+0000: refused here rather than failing in the database.
  @NotContains('\u0000', { message: 'reason must not contain the NUL character (U+0000)' })
  reason: string;
}
