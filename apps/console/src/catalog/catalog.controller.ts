import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config';
import { CONSOLE_DIRECTORY, type DirectoryEntry } from '../system/service-directory';
import { ConsolePages } from '../views/console-pages';
import { html } from '../views/html';
import { asyncApiDocument } from './asyncapi-document';
import { eventCatalog, type CatalogEvent } from './event-catalog';

/** Every topic, event type and version, who publishes and consumes it, and its schema; and the same as AsyncAPI. */
@Controller()
export class CatalogController {
  private readonly events: CatalogEvent[];

  constructor(
    @Inject(CONSOLE_DIRECTORY) directory: readonly DirectoryEntry[],
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
    private readonly pages: ConsolePages,
  ) {
    this.events = eventCatalog(directory, config.messaging.topologyPrefix);
  }

  @Get('catalog')
  catalog(@Req() request: Request) {
    return this.pages.render(
      request,
      'Event catalog',
      html`<p class="muted">Derived from the services' topologies and the contracts' schemas. The same model as an AsyncAPI 3.0 document: <a href="/asyncapi.json">asyncapi.json</a>.</p>
<table id="catalog"><thead><tr><th>Topic</th><th>Event type</th><th class="num">Version</th><th>FIFO</th><th>Producer</th><th>Consumers (subscription filter)</th><th>Payload schema</th></tr></thead><tbody>
${this.events.map(
  (event) => html`<tr data-type="${event.type}"><td><code>${event.topicName}</code></td><td><strong>${event.type}</strong></td><td class="num">${event.version}</td><td>${event.fifo ? 'yes' : 'no'}</td>
<td>${event.producers.join(', ') || '–'}</td>
<td>${event.consumers.map((consumer) => html`<div>${consumer.service} <code class="muted">${JSON.stringify(consumer.filterPolicy)}</code></div>`)}</td>
<td><details><summary>JSON Schema</summary><pre>${JSON.stringify(event.payloadSchema, null, 2)}</pre></details></td></tr>`,
)}</tbody></table>`,
      '/catalog',
    );
  }

  @Get('asyncapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  asyncApi() {
    return JSON.stringify(asyncApiDocument(this.events, { title: 'shop events', version: '1.0.0' }), null, 2);
  }
}
