import { Body, ConflictException, Controller, Get, HttpCode, HttpStatus, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { currentMessageContext } from '@app/messaging';
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { StockItem } from '../domain/stock-item.entity';
import { SkuParams, StockAdjustmentDto } from './stock.dto';

@ApiTags('stock')
@Controller('stock')
export class StockController {
  constructor(
    @InjectRepository(StockItem) private readonly stock: Repository<StockItem>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get(':sku')
  @ApiOkResponse({ type: StockItem })
  @ApiBadRequestResponse({ description: 'Invalid SKU; the message names it' })
  @ApiNotFoundResponse({ description: 'No stock was ever recorded for this SKU' })
  async get(@Param() { sku }: SkuParams): Promise<StockItem> {
    const item = await this.stock.findOneBy({ sku });
    if (!item) throw new NotFoundException(`SKU ${sku} not found`);
    return item;
  }

  /**
   * Changes what is available by a relative amount (a delivery, breakage, a stock take's
   * difference), recorded with its reason. Relative, under the row lock reservations take, so an
   * adjustment can never lose or invent a hold that commits beside it; held stock is never touched.
   * The first adjustment of a new SKU creates it.
   */
  @Post(':sku/adjustments')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ type: StockItem, description: 'The stock after the adjustment' })
  @ApiBadRequestResponse({ description: 'Invalid SKU, delta or reason; the message names each offending field' })
  @ApiConflictResponse({ description: 'The adjustment would take what is available below zero; nothing was changed' })
  async adjust(@Param() { sku }: SkuParams, @Body() body: StockAdjustmentDto): Promise<StockItem> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO stock_items (sku, available, reserved) VALUES ($1, 0, 0) ON CONFLICT (sku) DO NOTHING`, [sku]);
      const [item]: { available: number; reserved: number }[] = await manager.query(`SELECT available, reserved FROM stock_items WHERE sku = $1 FOR UPDATE`, [sku]);
      const after = item.available + body.delta;
      if (after < 0) {
        throw new ConflictException(
          `SKU ${sku} has ${item.available} available (and ${item.reserved} held for orders, which an adjustment never touches): a change of ${body.delta} would leave ${after}`,
        );
      }
      await manager.query(`UPDATE stock_items SET available = $2, updated_at = now() WHERE sku = $1`, [sku, after]);
      await manager.query(`INSERT INTO stock_adjustments (id, sku, delta, reason, available_after, correlation_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
        randomUUID(),
        sku,
        body.delta,
        body.reason,
        after,
        currentMessageContext()?.correlationId ?? randomUUID(),
      ]);
    });
    return this.stock.findOneByOrFail({ sku });
  }
}
