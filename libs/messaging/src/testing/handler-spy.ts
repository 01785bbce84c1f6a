import type { INestApplication } from '@nestjs/common';
import { MessagingObserver, type DeadLetteredRecord, type HandledRecord, type PublishedRecord } from '../observer/messaging-observer';

type Matcher<T> = Partial<T> | ((record: T) => boolean);

interface Waiter<T> {
  matches: (record: T) => boolean;
  resolve: (record: T) => void;
}

const toPredicate = <T>(matcher: Matcher<T>) =>
  typeof matcher === 'function' ? matcher : (record: T) => Object.entries(matcher).every(([key, value]) => record[key as keyof T] === value);

/** Records one kind of pipeline event and lets a test await one that matches, past or future. */
class Recorder<T> {
  readonly records: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  add(record: T): void {
    this.records.push(record);
    for (const waiter of this.waiters) {
      if (waiter.matches(record)) {
        this.waiters.delete(waiter);
        waiter.resolve(record);
      }
    }
  }

  waitFor(matcher: Matcher<T>, timeoutMs: number, what: string): Promise<T> {
    const matches = toPredicate(matcher);
    const seen = this.records.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { matches, resolve: (record) => (clearTimeout(timer), resolve(record)) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`No ${what} matching ${JSON.stringify(typeof matcher === 'function' ? String(matcher) : matcher)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/**
 * Awaits "event X was handled / published / dead-lettered" in a running service, with a deadline,
 * instead of sleeping. Attach it before producing the event; records made earlier are matched too.
 */
export class HandlerSpy {
  private readonly handledEvents = new Recorder<HandledRecord>();
  private readonly publishedEvents = new Recorder<PublishedRecord>();
  private readonly deadLetters = new Recorder<DeadLetteredRecord>();
  private readonly detach: () => void;

  constructor(observer: MessagingObserver) {
    const onHandled = (record: HandledRecord) => this.handledEvents.add(record);
    const onPublished = (record: PublishedRecord) => this.publishedEvents.add(record);
    const onDeadLettered = (record: DeadLetteredRecord) => this.deadLetters.add(record);
    observer.on('handled', onHandled).on('published', onPublished).on('deadLettered', onDeadLettered);
    this.detach = () => observer.off('handled', onHandled).off('published', onPublished).off('deadLettered', onDeadLettered);
  }

  static attach(app: INestApplication): HandlerSpy {
    return new HandlerSpy(app.get(MessagingObserver));
  }

  get handled(): readonly HandledRecord[] {
    return this.handledEvents.records;
  }

  get deadLettered(): readonly DeadLetteredRecord[] {
    return this.deadLetters.records;
  }

  get published(): readonly PublishedRecord[] {
    return this.publishedEvents.records;
  }

  waitForHandled(matcher: Matcher<HandledRecord>, timeoutMs = 15_000): Promise<HandledRecord> {
    return this.handledEvents.waitFor(matcher, timeoutMs, 'handled event');
  }

  waitForPublished(matcher: Matcher<PublishedRecord>, timeoutMs = 15_000): Promise<PublishedRecord> {
    return this.publishedEvents.waitFor(matcher, timeoutMs, 'published event');
  }

  waitForDeadLettered(matcher: Matcher<DeadLetteredRecord>, timeoutMs = 15_000): Promise<DeadLetteredRecord> {
    return this.deadLetters.waitFor(matcher, timeoutMs, 'dead letter');
  }

  stop(): void {
    this.detach();
  }
}
