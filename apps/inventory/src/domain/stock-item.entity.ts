import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** What is on the shelf for one SKU and not held for anyone. */
@Entity({ name: 'stock_items' })
export class StockItem {
  @ApiProperty({ example: 'SKU-1' })
  @PrimaryColumn({ type: 'text' })
  sku: string;

  @ApiProperty({ description: 'Units on the shelf and not held for any order', type: 'integer', example: 1000, minimum: 0 })
  @Column({ type: 'integer' })
  available: number;

  @ApiProperty()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
