import { Body, Controller, Headers, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiHeader, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from './idempotency';
import { OrderAcceptedDto, PlaceOrderDto } from './place-order.dto';
import { PlaceOrderService } from './place-order.service';

@ApiTags('orders')
@Controller('orders')
export class PlaceOrderController {
  constructor(private readonly placeOrder: PlaceOrderService) {}

  /** 202: the order is recorded; stock and payment follow asynchronously, follow it with GET /orders/:id. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Makes retries safe: a request repeated with the same key gets the first answer and places nothing new',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', example: '5f0c9a52-3c7e-4d2b-9a61-0e3b8f1d2c4a' },
  })
  @ApiAcceptedResponse({ type: OrderAcceptedDto, description: 'Placed, or the stored answer to the first request with this Idempotency-Key (then with `Idempotent-Replayed: true`)' })
  @ApiBadRequestResponse({ description: 'Invalid body or Idempotency-Key; the message names each offending field' })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was already used with a different body' })
  async place(
    @Body() body: PlaceOrderDto,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrderAcceptedDto> {
    const outcome = await this.placeOrder.place(body, parseIdempotencyKey(idempotencyKey));
    response.status(outcome.statusCode);
    if (outcome.replayed) response.setHeader('Idempotent-Replayed', 'true');
    return outcome.body;
  }
}
