import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { IsUUID } from 'class-validator';
import type { Repository } from 'typeorm';
import { Invoice } from '../domain/invoice.entity';

export class ListInvoicesQuery {
  @ApiProperty({ format: 'uuid', description: 'The order whose invoices to list' })
  @IsUUID()
  orderId: string;
}

@ApiTags('invoices')
@Controller('invoices')
export class InvoicesController {
  constructor(@InjectRepository(Invoice) private readonly invoices: Repository<Invoice>) {}

  @Get()
  @ApiOkResponse({ type: [Invoice] })
  list(@Query() query: ListInvoicesQuery): Promise<Invoice[]> {
    return this.invoices.find({ where: { orderId: query.orderId }, order: { issuedAt: 'ASC' } });
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: Invoice })
  @ApiNotFoundResponse({ description: 'No invoice with this id' })
  // The pipe's own message does not say which parameter is wrong; answer like the body validation does.
  async get(@Param('id', new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(['id must be a UUID']) })) id: string): Promise<Invoice> {
    const invoice = await this.invoices.findOneBy({ id });
    if (!invoice) throw new NotFoundException(`Invoice ${id} not found`);
    return invoice;
  }
}
