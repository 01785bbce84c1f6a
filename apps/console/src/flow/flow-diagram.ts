import { escape, raw, type Html } from '../views/html';
import { handlerDuration, wasRetried, type Flow } from './flow-builder';

const LANE = 150;
const ROW = 54;
const TOP = 46;

/**
 * A sequence diagram of the flow: one lane per service, one row per event, an arrow from the
 * producer to each consumer — solid when handled, dashed while waiting, red where it was
 * dead-lettered; under each handled arrow how long the handler ran, and ↻ delivery/try where it
 * succeeded only after a retry. The request that started the transaction comes in from the left.
 */
export function flowDiagram(flow: Flow, serviceOrder: readonly string[], highlight?: string): Html {
  const involved = new Set(flow.events.flatMap((event) => [event.producer, ...event.consumers.map((consumer) => consumer.service)]));
  const lanes = ['request', ...serviceOrder.filter((service) => involved.has(service))];
  const x = (lane: string) => 60 + lanes.indexOf(lane) * LANE;
  const width = 60 + lanes.length * LANE;
  const height = TOP + flow.events.length * ROW + 24;
  const ids = new Set(flow.events.map((event) => event.eventId));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" id="flow-diagram" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Flow of ${escape(flow.query)}">`);
  parts.push(`<defs>${['#2e5aac', '#b42318', '#98a2b3'].map((color, index) => `<marker id="arrow${index}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${color}"/></marker>`).join('')}</defs>`);
  for (const lane of lanes) {
    parts.push(`<line x1="${x(lane)}" y1="${TOP - 12}" x2="${x(lane)}" y2="${height - 8}" stroke="#d0d5dd" stroke-dasharray="${lane === 'request' ? '2 4' : '0'}"/>`);
    parts.push(`<text x="${x(lane)}" y="20" text-anchor="middle" font-weight="600">${escape(lane)}</text>`);
  }
  flow.events.forEach((event, index) => {
    const y = TOP + index * ROW + 20;
    const from = x(event.producer);
    const started = !event.causationId || !ids.has(event.causationId);
    if (started && index === 0) parts.push(arrow(x('request'), from, y - 14, '#98a2b3', 2, true));
    const label = `${event.type.replace(/^[^.]+\./, '')}${event.publishedAt ? '' : ' (not published yet)'}`;
    const weight = event.eventId === highlight ? ' font-weight="700"' : '';
    parts.push(`<circle cx="${from}" cy="${y}" r="4" fill="#1d2330"/><text x="${from + 8}" y="${y - 8}"${weight}>${escape(label)}</text>`);
    for (const consumer of event.consumers) {
      const to = x(consumer.service);
      if (consumer.deadLetter) {
        parts.push(arrow(from, to, y, '#b42318', 1, false));
        parts.push(`<text x="${to + 6}" y="${y + 14}" fill="#b42318" font-weight="600">✕ ${escape(consumer.deadLetter.code ?? 'dead letter')}</text>`);
      } else {
        parts.push(arrow(from, to, y, consumer.handledAt ? '#2e5aac' : '#98a2b3', consumer.handledAt ? 0 : 2, !consumer.handledAt));
        const note = [handlerDuration(consumer.handling), wasRetried(consumer.handling) ? `↻ ${consumer.handling?.attempts}/${consumer.handling?.tries}` : ''].filter(Boolean).join(' ');
        const retried = wasRetried(consumer.handling) ? ' fill="#b54708" font-weight="600"' : ' fill="#667085"';
        if (note) parts.push(`<text x="${to + 6}" y="${y + 14}" font-size="11" class="handling" data-consumer="${escape(consumer.service)}"${retried}>${escape(note)}</text>`);
      }
    }
  });
  parts.push('</svg>');
  return raw(parts.join(''));
}

function arrow(from: number, to: number, y: number, color: string, marker: number, dashed: boolean): string {
  const end = to > from ? to - 6 : to + 6;
  return `<line x1="${from}" y1="${y}" x2="${end}" y2="${y}" stroke="${color}" stroke-width="1.6"${dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow${marker})"/>`;
}
