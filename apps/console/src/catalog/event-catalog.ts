import { cloudEventSchema, TopologyNames, type EventContract, type ServiceTopology } from '@app/messaging';
import { z } from 'zod';

/** What the catalog needs of a service: its name and topology. */
export interface CatalogService {
  name: string;
  topology: ServiceTopology;
}

export interface CatalogConsumer {
  service: string;
  queue: string;
  /** The SNS subscription filter policy of the consumer's subscription to this event's topic. */
  filterPolicy: { type: string[] };
}

export interface CatalogEvent {
  type: string;
  /** The type without its version: what versions of one event share. */
  name: string;
  version: number;
  topic: string;
  /** The SNS topic's name in this deployment. */
  topicName: string;
  fifo: boolean;
  producers: string[];
  consumers: CatalogConsumer[];
  /** JSON Schema (draft 7) of the payload (`data`). */
  payloadSchema: Record<string, unknown>;
  /** JSON Schema of the whole message: the CloudEvents envelope with this payload. */
  messageSchema: Record<string, unknown>;
}

/** Every event of the system, derived from the services' topologies and the contracts' zod schemas. */
export function eventCatalog(services: readonly CatalogService[], prefix: string): CatalogEvent[] {
  const names = new TopologyNames(prefix);
  const contracts = new Map<string, EventContract>();
  for (const service of services) for (const contract of [...service.topology.publishes, ...service.topology.consumes]) contracts.set(contract.type, contract);
  return [...contracts.values()]
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.type.localeCompare(b.type))
    .map((contract) => {
      const version = /\.v(\d+)$/.exec(contract.type);
      return {
        type: contract.type,
        name: contract.type.replace(/\.v\d+$/, ''),
        version: version ? Number(version[1]) : 1,
        topic: contract.topic,
        topicName: names.topic(contract),
        fifo: contract.fifo,
        producers: services.filter((service) => service.topology.publishes.some((c) => c.type === contract.type)).map((service) => service.name),
        consumers: services
          .filter((service) => service.topology.consumes.some((c) => c.type === contract.type))
          .map((service) => ({
            service: service.name,
            queue: names.queue(service.topology),
            filterPolicy: { type: service.topology.consumes.filter((c) => c.topic === contract.topic && c.fifo === contract.fifo).map((c) => c.type) },
          })),
        payloadSchema: jsonSchemaOf(contract.schema),
        messageSchema: jsonSchemaOf(cloudEventSchema.extend({ type: z.literal(contract.type), data: contract.schema })),
      };
    });
}

/** zod's JSON Schema in draft 7, the dialect AsyncAPI's schema format builds on. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
