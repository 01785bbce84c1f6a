import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsISO4217CurrencyCode, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { CUSTOMER_ID_DOCS, HasNoNulCharacter } from '../domain/customer-id';
import { OrderStatus } from '../domain/order-status';

export class OrderItemDto {
  @ApiProperty({ example: 'SKU-RED-SHIRT', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' })
  sku: string;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;

  @ApiProperty({ type: 'integer', description: 'Price of one unit in minor units (cents)', example: 1999, minimum: 0, maximum: 100_000_000 })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  unitPrice: number;
}

export class PlaceOrderDto {
  @ApiProperty(CUSTOMER_ID_DOCS)
  @IsString()
  @Length(1, 100)
  @HasNoNulCharacter()
  customerId: string;

  @ApiProperty({ example: 'EUR', description: 'An ISO 4217 currency code', pattern: '^[A-Z]{3}$' })
  @IsISO4217CurrencyCode()
  currency: string;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items: OrderItemDto[];
}

export class OrderAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  orderId: string;

  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus', example: OrderStatus.Placed })
  status: string;
}
