import { Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { StockItem } from '../domain/stock-item.entity';
import { SetStockDto, SkuParams } from './stock.dto';

@ApiTags('stock')
@Controller('stock')
export class StockController {
  constructor(@InjectRepository(StockItem) private readonly stock: Repository<StockItem>) {}

  @Get(':sku')
  @ApiOkResponse({ type: StockItem })
  @ApiNotFoundResponse()
  async get(@Param() { sku }: SkuParams): Promise<StockItem> {
    const item = await this.stock.findOneBy({ sku });
    if (!item) throw new NotFoundException(`SKU ${sku} not found`);
    return item;
  }

  /** Sets the count on the shelf (a stock take, a delivery); creates the SKU if it is new. Held stock is not included. */
  @Put(':sku')
  @ApiOkResponse({ type: StockItem })
  @ApiBadRequestResponse({ description: 'Invalid SKU or count; the message names each offending field' })
  async set(@Param() { sku }: SkuParams, @Body() body: SetStockDto): Promise<StockItem> {
    await this.stock.upsert({ sku, available: body.available }, { conflictPaths: ['sku'] });
    return this.stock.findOneByOrFail({ sku });
  }
}
