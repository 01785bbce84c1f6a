import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One SKU on the shelf: what can still be sold, and what is held for orders not decided yet. */
@Entity({ name: 'stock_items' })
export class StockItem {
  @ApiProperty({ example: 'SKU-1' })
  @PrimaryColumn({ type: 'text' })
  sku: string;

  @ApiProperty({ description: 'Units on the shelf and not held for any order', type: 'integer', example: 1000, minimum: 0 })
  @Column({ type: 'integer' })
  available: number;

  @ApiProperty({ description: 'Units held for orders that are neither confirmed nor cancelled yet', type: 'integer', example: 2, minimum: 0 })
  @Column({ type: 'integer' })
  reserved: number;

  @ApiProperty()
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
