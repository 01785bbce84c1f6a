import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import { OrderAcceptedDto, PlaceOrderDto } from './place-order.dto';
import { PlaceOrderService } from './place-order.service';

@ApiTags('orders')
@Controller('orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderService) {}

  /** 202: the order is recorded; payment happens asynchronously, follow it with GET /orders/:id. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: OrderAcceptedDto })
  @ApiBadRequestResponse({ description: 'Invalid body; the message names each offending field' })
  async place(@Body() body: PlaceOrderDto): Promise<OrderAcceptedDto> {
    const order = await this.placeOrder.place(body);
    return { orderId: order.id, status: order.status };
  }
}
