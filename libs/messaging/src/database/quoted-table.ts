import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** `"schema"."table"` of an entity, for the raw SQL the hot paths use. */
export function quotedTable(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): string {
  return manager
    .getRepository(entity)
    .metadata.tablePath.split('.')
    .map((part) => `"${part}"`)
    .join('.');
}
