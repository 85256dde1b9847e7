package txstream.peers.kstreams;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import txstream.peers.Binary;
import txstream.peers.Decoder;
import txstream.peers.Fraud;
import txstream.peers.Json;
import txstream.peers.RunningTotal;
import txstream.peers.Transaction;
import txstream.peers.WindowAgg;

/**
 * txstream's job in Kafka Streams, at-least-once: decode with dead letters,
 * the six fraud rules per user (a RocksDB store, keyed like the input),
 * 60 s tumbling windows per merchant x currency with 5 s grace, suppressed
 * until they close, then running totals; the output topics and record
 * shapes of docs/output-contracts.md.
 *
 * <pre>
 * java -cp 'target/peers-kafka-streams-1.0.jar:target/lib/*' txstream.peers.kstreams.App \
 *   --bootstrap H:P --input T --aggregates T --anomalies T --deadletter T --application-id ID \
 *   [--until-drained] [--threads 2] [--commit-ms 1000] [--state-dir DIR] [--delete-internal-topics]
 * </pre>
 *
 * With --until-drained it stops once every input record (counted at start)
 * went through every stage, and prints one line:
 * {@code kstreams records=N startup_ms= busy_ms= close_ms= late= anomalies=}
 * (start-up: JVM start to the first record; busy: first record to the
 * last record any stage handled). Without it, it runs until SIGTERM.
 */
public final class App {
  static final long WINDOW_MS = 60_000;
  static final long GRACE_MS = 5_000;

  // What the drain check and the report read; updated by the stream threads.
  static final AtomicLong firstNanos = new AtomicLong();
  static volatile long lastNanos;
  static final AtomicLong decoded = new AtomicLong();
  static final AtomicLong valid = new AtomicLong();
  static final AtomicLong windowed = new AtomicLong();
  static final AtomicLong late = new AtomicLong();
  static final AtomicLong anomalies = new AtomicLong();

  static void touch() {
    long now = System.nanoTime();
    firstNanos.compareAndSet(0, now);
    lastNanos = now;
  }

  /** Serde of a value type through its Binary form. */
  static <T> Serde<T> serde(java.util.function.Function<T, byte[]> to, java.util.function.Function<byte[], T> from) {
    Serializer<T> s = (topic, v) -> to.apply(v);
    Deserializer<T> d = (topic, b) -> from.apply(b);
    return Serdes.serdeFrom(s, d);
  }

  static final Serde<Transaction> TXN = serde(Binary::transaction, Binary::transaction);
  static final Serde<WindowAgg> AGG = serde(Binary::window, Binary::window);
  static final Serde<RunningTotal> TOTAL = serde(Binary::total, Binary::total);
  static final Serde<Fraud.UserState> USER = serde(Binary::user, Binary::user);

  static Headers deadLetterHeaders(String reason, String detail, String source) {
    RecordHeaders h = new RecordHeaders();
    h.add("x-txstream-error", reason.getBytes(StandardCharsets.UTF_8));
    h.add("x-txstream-error-detail", detail.getBytes(StandardCharsets.UTF_8));
    h.add("x-txstream-source", source.getBytes(StandardCharsets.UTF_8));
    return h;
  }

  /** A decoded record or a dead letter (payload verbatim, headers set). */
  static final class Decoded {
    Transaction txn;
    byte[] payload;
  }

  /**
   * Decodes each input record. Valid ones go on with the transaction's event
   * time as their timestamp (the windows run on event time) and without the
   * input's headers; invalid ones keep their bytes and get the three
   * dead-letter headers.
   */
  static final class Decode implements Processor<byte[], byte[], byte[], Decoded> {
    private final Decoder decoder = new Decoder();
    private final String input;
    private ProcessorContext<byte[], Decoded> ctx;

    Decode(String input) {
      this.input = input;
    }

    @Override
    public void init(ProcessorContext<byte[], Decoded> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void process(Record<byte[], byte[]> r) {
      touch();
      decoded.incrementAndGet();
      var meta = ctx.recordMetadata().orElseThrow();
      Decoded d = new Decoded();
      Transaction t = new Transaction();
      Decoder.Result res = decoder.decode(r.value(), t);
      if (res.ok()) {
        valid.incrementAndGet();
        t.partition = meta.partition();
        t.offset = meta.offset();
        d.txn = t;
        ctx.forward(new Record<>(r.key(), d, t.eventTimeMs));
      } else {
        d.payload = r.value();
        String source = input + "/" + meta.partition() + "/" + meta.offset();
        ctx.forward(new Record<>(r.key(), d, r.timestamp(), deadLetterHeaders(res.reason, res.detail, source)));
      }
    }
  }

  /** The six rules per user; the user's state lives in the "users" store. */
  static final class Detect implements Processor<byte[], Transaction, String, String> {
    private ProcessorContext<String, String> ctx;
    private KeyValueStore<String, Fraud.UserState> users;
    private final List<Fraud.Hit> hits = new ArrayList<>();

    @Override
    public void init(ProcessorContext<String, String> ctx) {
      this.ctx = ctx;
      this.users = ctx.getStateStore("users");
    }

    @Override
    public void process(Record<byte[], Transaction> r) {
      touch();
      Transaction t = r.value();
      Fraud.UserState u = users.get(t.userId);
      if (u == null)
        u = new Fraud.UserState();
      long now = System.currentTimeMillis();
      Fraud.process(u, t, now, hits);
      users.put(t.userId, u);
      for (Fraud.Hit h : hits) {
        anomalies.incrementAndGet();
        // Stamped with the wall clock: CreateTime is when it was produced.
        ctx.forward(new Record<>(t.userId, h.json, now));
      }
      hits.clear();
    }
  }

  /**
   * Marks the records the windowed aggregation would drop as late: those
   * whose window ended at or before the task's stream time minus the grace
   * period, the rule of Kafka Streams' window aggregation, applied to the
   * same records in the same order. They become dead letters instead of
   * vanishing (txstream dead-letters them as "late").
   */
  static final class MarkLate implements FixedKeyProcessor<String, Transaction, Transaction> {
    private FixedKeyProcessorContext<String, Transaction> ctx;
    private long streamTime = Long.MIN_VALUE;

    @Override
    public void init(FixedKeyProcessorContext<String, Transaction> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void process(FixedKeyRecord<String, Transaction> r) {
      touch();
      windowed.incrementAndGet();
      streamTime = Math.max(streamTime, r.timestamp());
      long end = Math.floorDiv(r.timestamp(), WINDOW_MS) * WINDOW_MS + WINDOW_MS;
      r.value().late = end <= streamTime - GRACE_MS;
      ctx.forward(r);
    }
  }

  /**
   * A closed window goes out, then the running total of its key with the
   * window folded in (the "totals" store), both keyed by merchant.
   */
  static final class EmitWindow implements Processor<Windowed<String>, WindowAgg, String, String> {
    private ProcessorContext<String, String> ctx;
    private KeyValueStore<String, RunningTotal> totals;

    @Override
    public void init(ProcessorContext<String, String> ctx) {
      this.ctx = ctx;
      this.totals = ctx.getStateStore("totals");
    }

    @Override
    public void process(Record<Windowed<String>, WindowAgg> r) {
      touch();
      String key = r.key().key();
      int bar = key.lastIndexOf('|');
      String merchant = key.substring(0, bar);
      String currency = key.substring(bar + 1);
      long start = r.key().window().start();
      long end = r.key().window().end();
      long now = System.currentTimeMillis();
      ctx.forward(new Record<>(merchant, Json.window(merchant, currency, start, end, r.value()), now));
      RunningTotal t = totals.get(key);
      if (t == null)
        t = new RunningTotal();
      if (t.fold(end, r.value())) {
        totals.put(key, t);
        ctx.forward(new Record<>(merchant, Json.total(merchant, currency, t), now));
      }
    }
  }

  static StreamsBuilder topology(Map<String, String> a) {
    String input = a.get("input");
    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("users"), Serdes.String(), USER));
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore("totals"), Serdes.String(), TOTAL));

    KStream<byte[], Decoded> decodedStream = b
        .stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .process(() -> new Decode(input), Named.as("decode"));
    decodedStream.filter((k, d) -> d.txn == null, Named.as("invalid"))
        .mapValues(d -> d.payload, Named.as("invalid-payload"))
        .to(a.get("deadletter"), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    KStream<byte[], Transaction> txns = decodedStream
        .filter((k, d) -> d.txn != null, Named.as("valid"))
        .mapValues(d -> d.txn, Named.as("transaction"));

    txns.process(Detect::new, Named.as("detect"), "users")
        .to(a.get("anomalies"), Produced.with(Serdes.String(), Serdes.String()));

    KStream<String, Transaction> byKey = txns
        .selectKey((k, t) -> t.merchantCurrency(), Named.as("by-merchant-currency"))
        .repartition(Repartitioned.with(Serdes.String(), TXN).withName("by-merchant"))
        .processValues(MarkLate::new, Named.as("mark-late"));

    byKey.filter((k, t) -> t.late, Named.as("late"))
        .process(() -> new Processor<String, Transaction, byte[], byte[]>() {
          private ProcessorContext<byte[], byte[]> ctx;

          @Override
          public void init(ProcessorContext<byte[], byte[]> ctx) {
            this.ctx = ctx;
          }

          @Override
          public void process(Record<String, Transaction> r) {
            late.incrementAndGet();
            Transaction t = r.value();
            String source = input + "/" + t.partition + "/" + t.offset;
            String detail = "event time " + t.eventTimeMs + " is in a window closed by the stream time";
            ctx.forward(new Record<>(t.userId.getBytes(StandardCharsets.UTF_8),
                t.toJson().getBytes(StandardCharsets.UTF_8), System.currentTimeMillis(),
                deadLetterHeaders("late", detail, source)));
          }
        }, Named.as("late-dead-letter"))
        .to(a.get("deadletter"), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));

    byKey.filter((k, t) -> !t.late, Named.as("on-time"))
        .groupByKey(Grouped.with(Serdes.String(), TXN))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(GRACE_MS)))
        .aggregate(WindowAgg::new, (k, t, agg) -> agg.add(t),
            Materialized.<String, WindowAgg, WindowStore<Bytes, byte[]>>as("windows")
                .withKeySerde(Serdes.String()).withValueSerde(AGG))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("until-closed"))
        .toStream(Named.as("closed"))
        .process(EmitWindow::new, Named.as("emit-window"), "totals")
        .to(a.get("aggregates"), Produced.with(Serdes.String(), Serdes.String()));
    return b;
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i];
      if (!k.startsWith("--"))
        throw new IllegalArgumentException("unexpected argument " + k);
      k = k.substring(2);
      if (k.equals("until-drained") || k.equals("delete-internal-topics"))
        a.put(k, "true");
      else if (i + 1 < args.length)
        a.put(k, args[++i]);
      else
        throw new IllegalArgumentException("--" + k + " needs a value");
    }
    for (String need : List.of("bootstrap", "input", "aggregates", "anomalies", "deadletter", "application-id"))
      if (!a.containsKey(need))
        throw new IllegalArgumentException("--" + need + " is required");
    return a;
  }

  /** Records in the input now: what a drain must get through. */
  static long inputRecords(Admin admin, String topic) throws Exception {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    d.partitions().forEach(p -> {
      earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
      latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
    });
    long n = 0;
    for (var e : admin.listOffsets(latest).all().get().values())
      n += e.offset();
    for (var e : admin.listOffsets(earliest).all().get().values())
      n -= e.offset();
    return n;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String appId = a.get("application-id");
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("bootstrap"));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, a.getOrDefault("threads", "2"));
    // txstream's commit interval (pipeline.commit_interval_ms), not the
    // at-least-once default of 30 s: the windows' store cache reaches
    // suppress() only when it is flushed, at commits, so with 30 s closed
    // windows went out 30 s late on average.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, a.getOrDefault("commit-ms", "1000"));
    p.put(StreamsConfig.STATE_DIR_CONFIG,
        a.getOrDefault("state-dir", Files.createTempDirectory("kstreams-state").toString()));
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    boolean drain = a.containsKey("until-drained");
    long expected = 0;
    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("bootstrap"));
    try (Admin admin = Admin.create(ap)) {
      if (drain)
        expected = inputRecords(admin, a.get("input"));
    }

    KafkaStreams streams = new KafkaStreams(topology(a).build(), p);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    // SIGTERM (a live run): the JVM exits once its shutdown hooks return,
    // so the hook waits for main to close the client and delete the
    // internal topics (main otherwise never gets that far).
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        finished.await(90, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    streams.setUncaughtExceptionHandler(e -> {
      e.printStackTrace();
      stop.countDown();
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.start();
    if (drain) {
      // Done when every input record was decoded, every valid one reached
      // the windows, and no stage has handled anything for a second (the
      // suppressed windows close as records pass, so nothing is left then).
      while (stop.getCount() > 0) {
        Thread.sleep(50);
        if (decoded.get() >= expected && windowed.get() >= valid.get()
            && System.nanoTime() - lastNanos > 1_000_000_000L)
          break;
      }
    } else {
      stop.await();
    }
    long closeStart = System.nanoTime();
    streams.close(Duration.ofSeconds(60));
    long closeMs = (System.nanoTime() - closeStart) / 1_000_000;
    if (a.containsKey("delete-internal-topics")) {
      try (Admin admin = Admin.create(ap)) {
        Set<String> mine = admin.listTopics().names().get().stream()
            .filter(t -> t.startsWith(appId + "-")).collect(Collectors.toSet());
        admin.deleteTopics(mine).all().get();
      }
      streams.cleanUp();
    }
    long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();
    long uptimeNowNanos = System.nanoTime();
    long first = firstNanos.get();
    long startupMs = first == 0 ? -1
        : System.currentTimeMillis() - jvmStartMs - (uptimeNowNanos - first) / 1_000_000;
    System.out.printf("kstreams records=%d expected=%d valid=%d windowed=%d late=%d anomalies=%d startup_ms=%d busy_ms=%d close_ms=%d%n",
        decoded.get(), expected, valid.get(), windowed.get(), late.get(), anomalies.get(), startupMs,
        first == 0 ? 0 : (lastNanos - first) / 1_000_000, closeMs);
    System.out.flush();
    finished.countDown();
  }
}
