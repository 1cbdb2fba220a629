import type { Logger } from 'pino';
import type { JobsService } from '../budget/jobs-service.js';
import { digest } from '../budget/keys.js';
import type { RateGate } from '../budget/rate-gate.js';
import { keyHash, type Credentials } from '../upstream/credentials.js';
import { AppError, badInput } from '../errors.js';
import type { NormalizedFilter } from '../filter.js';
import type { LiveBus } from './bus.js';
import { isEventId, type LiveBatch } from './events.js';
import { type PollSettings, TopicPoller } from './poller.js';
import { Subscriber, type LiveItem, type SubscriberInfo } from './subscriber.js';

export interface LiveLimits {
  perConnection: number;
  perCaller: number;
  /** Distinct topics this server follows at once. */
  topics: number;
  /** Events a subscriber may leave unread before it is cut off. */
  buffer: number;
}

export interface LiveHubOptions {
  bus: LiveBus;
  jobs: JobsService;
  gate: RateGate;
  logger: Logger;
  replica: string;
  poll: PollSettings;
  limits: LiveLimits;
  /**
   * Where a topic's poll credits go among callers: each subscription that received a batch is
   * attributed credits / subscriptions-across-replicas of it (see README, "Live job alerts").
   */
  attribute?: (caller: string, credits: number) => void;
}

export interface SubscribeRequest extends SubscriberInfo {
  filter: NormalizedFilter;
  credentials: Credentials;
  /** Last-Event-ID: replay what this client missed, from the kept events, before anything new. */
  lastEventId: string | null;
  signal?: AbortSignal | undefined;
}

interface Topic {
  id: string;
  subscribers: Set<Subscriber>;
  poller: TopicPoller;
  /** Resolves once the topic listens to the bus (joiners wait for it before replaying). */
  ready: Promise<void>;
  unlisten?: () => Promise<void>;
}

const limitError = (limit: 'connection' | 'caller' | 'topics', max: number, message: string): AppError =>
  new AppError('SUBSCRIPTION_LIMIT', message, { details: { limit, max } });

/**
 * This replica's live subscriptions, grouped into topics: one topic per distinct normalised filter
 * and key pair, whatever the number of subscribers. A topic exists while it has subscribers here;
 * its poller polls only while it holds the topic's lease, and every replica's subscribers get its
 * batches through the bus.
 */
export class LiveHub {
  private readonly topics = new Map<string, Topic>();
  private readonly perConnection = new Map<string, number>();
  private readonly perCaller = new Map<string, number>();
  /** Credits attributed per caller by the default rule (read by apiUsage once callers are identified). */
  readonly callerCredits = new Map<string, number>();
  private polls = 0;
  private cutOffs = 0;
  private closed = false;

  constructor(private readonly o: LiveHubOptions) {}

  /** The topic of a filter under a key pair: hashes only (a cache key never holds a credential). */
  static topicOf(filter: NormalizedFilter, credentials: Credentials): string {
    return digest({ live: filter, pair: keyHash(credentials) });
  }

  /** Topics and subscriptions held here, polls made here, subscribers cut off for not reading. */
  stats(): { topics: number; subscribers: number; polls: number; cutOffs: number } {
    let subscribers = 0;
    for (const t of this.topics.values()) subscribers += t.subscribers.size;
    return { topics: this.topics.size, subscribers, polls: this.polls, cutOffs: this.cutOffs };
  }

  /** Checks the bounds first: past one, a SUBSCRIPTION_LIMIT error, never a silent drop. */
  async subscribe(req: SubscribeRequest): Promise<AsyncIterableIterator<LiveItem>> {
    if (this.closed) throw new AppError('UPSTREAM_UNAVAILABLE', 'This server is shutting down; reconnect to another');
    if (req.lastEventId !== null && !isEventId(req.lastEventId)) throw badInput('Last-Event-ID must be an event id this server sent (digits)');
    const { limits } = this.o;
    const topicId = LiveHub.topicOf(req.filter, req.credentials);
    if ((this.perConnection.get(req.connection) ?? 0) >= limits.perConnection) {
      throw limitError('connection', limits.perConnection, `At most ${limits.perConnection} subscriptions per connection`);
    }
    if ((this.perCaller.get(req.caller) ?? 0) >= limits.perCaller) {
      throw limitError('caller', limits.perCaller, `At most ${limits.perCaller} subscriptions per caller`);
    }
    if (!this.topics.has(topicId) && this.topics.size >= limits.topics) {
      throw limitError(
        'topics',
        limits.topics,
        `This server follows at most ${limits.topics} distinct filters at once; subscribe to one already followed or retry later`,
      );
    }
    const onCutOff = () => {
      this.cutOffs++;
      this.o.logger.info({ caller: req.caller, bound: limits.buffer }, 'live subscriber cut off: it stopped reading');
      req.onCutOff?.();
    };
    const sub = new Subscriber({ caller: req.caller, connection: req.connection, onCutOff }, limits.buffer, req.lastEventId);
    const topic = this.topics.get(topicId) ?? this.open(topicId, req);
    topic.subscribers.add(sub);
    bump(this.perConnection, req.connection, 1);
    bump(this.perCaller, req.caller, 1);
    sub.onClose(() => this.leave(topicId, topic, sub));
    req.signal?.addEventListener('abort', () => sub.close(), { once: true });
    try {
      await topic.ready;
      if (req.lastEventId !== null) sub.resume(await this.o.bus.replay(topicId, req.lastEventId));
    } catch (e) {
      sub.close();
      throw e;
    }
    return sub;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.topics.values()];
    for (const t of all) for (const s of t.subscribers) s.close();
    await Promise.all(all.map((t) => t.poller.stop()));
    await this.o.bus.close();
  }

  private open(topicId: string, req: SubscribeRequest): Topic {
    const subscribers = new Set<Subscriber>();
    const poller = new TopicPoller(topicId, req.filter, req.credentials, {
      bus: this.o.bus,
      jobs: this.o.jobs,
      gate: this.o.gate,
      logger: this.o.logger,
      replica: this.o.replica,
      settings: this.o.poll,
      localSubscribers: () => subscribers.size,
      onPoll: () => {
        this.polls++;
      },
    });
    const topic: Topic = { id: topicId, subscribers, poller, ready: Promise.resolve() };
    topic.ready = this.o.bus
      .listen(topicId, (batch) => this.deliver(topic, batch))
      .then((unlisten) => {
        topic.unlisten = unlisten;
        // The topic may have emptied while the bus subscription was being made.
        if (this.topics.get(topicId) === topic) poller.start();
        else void unlisten();
      });
    this.topics.set(topicId, topic);
    return topic;
  }

  private deliver(topic: Topic, batch: LiveBatch): void {
    // A fault ends the topic: a later subscriber to the same filter starts a new one (and a new poll).
    if (batch.fault && this.topics.get(topic.id) === topic) {
      this.topics.delete(topic.id);
      void topic.poller.stop().then(() => topic.unlisten?.());
    }
    const share = batch.credits > 0 ? batch.credits / Math.max(1, batch.subscribers, topic.subscribers.size) : 0;
    for (const sub of [...topic.subscribers]) {
      if (batch.events.length) sub.push(batch.events);
      if (share > 0) this.attribute(sub.info.caller, share);
      if (batch.fault) sub.fail(new AppError(batch.fault.code as AppError['code'], batch.fault.message));
    }
  }

  private attribute(caller: string, credits: number): void {
    if (this.o.attribute) this.o.attribute(caller, credits);
    else this.callerCredits.set(caller, (this.callerCredits.get(caller) ?? 0) + credits);
  }

  /** A subscription ended: the last one of a topic stops its poller and its bus subscription. */
  private leave(topicId: string, topic: Topic, sub: Subscriber): void {
    if (!topic.subscribers.delete(sub)) return;
    bump(this.perConnection, sub.info.connection, -1);
    bump(this.perCaller, sub.info.caller, -1);
    if (topic.subscribers.size > 0 || this.topics.get(topicId) !== topic) return;
    this.topics.delete(topicId);
    void topic.poller.stop().then(() => topic.unlisten?.());
  }
}

function bump(m: Map<string, number>, key: string, by: number): void {
  const n = (m.get(key) ?? 0) + by;
  if (n > 0) m.set(key, n);
  else m.delete(key);
}
