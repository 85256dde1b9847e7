package txstream.peers.flink;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import txstream.peers.Decoder;
import txstream.peers.Fraud;
import txstream.peers.Json;
import txstream.peers.RunningTotal;
import txstream.peers.Transaction;
import txstream.peers.WindowAgg;

/**
 * txstream's job in Flink's DataStream API on a local MiniCluster: the Kafka
 * source decodes (per-partition watermarks of 5 s bounded out-of-orderness),
 * invalid records go to the dead letters, the fraud rules run in a keyed
 * process function per user (heap state), 60 s tumbling event-time windows
 * per merchant x currency aggregate incrementally, late records come out of
 * the windows' side output as dead letters, and a keyed process function
 * keeps the running totals. Checkpoints every 30 s, at-least-once; one Kafka
 * sink writes every output topic.
 *
 * <pre>
 * java -cp 'target/peers-flink-1.0.jar:target/lib/*' txstream.peers.flink.Job \
 *   --bootstrap H:P --input T --aggregates T --anomalies T --deadletter T --group ID \
 *   [--until-drained] [--parallelism 2] [--checkpoint-ms 30000]
 * </pre>
 *
 * With --until-drained the source is bounded by the input's end offsets at
 * start: the job ends when everything went through (the end of input
 * closes every window), and prints
 * {@code flink records=N startup_ms= busy_ms= late= anomalies=}.
 */
public final class Job {
  static final long WINDOW_MS = 60_000;
  static final long OUT_OF_ORDER_MS = 5_000;

  // The MiniCluster runs the tasks in this JVM: plain statics for the report.
  static final AtomicLong firstNanos = new AtomicLong();
  static volatile long lastNanos;
  static final AtomicLong records = new AtomicLong();
  static final AtomicLong late = new AtomicLong();
  static final AtomicLong anomalies = new AtomicLong();

  static void touch() {
    long now = System.nanoTime();
    firstNanos.compareAndSet(0, now);
    lastNanos = now;
  }

  /** A decoded input record, or a dead letter (dlReason set). */
  public static class Decoded {
    public Transaction txn;
    public byte[] key;
    public byte[] payload;
    public String dlReason;
    public String dlDetail;
    public String dlSource;

    public Decoded() {}
  }

  /** One record for the sink: topic, key, value and, for dead letters, their headers. */
  public static class Out {
    public String topic;
    public byte[] key;
    public byte[] value;
    public String dlReason;
    public String dlDetail;
    public String dlSource;

    public Out() {}

    static Out of(String topic, String key, String value) {
      Out o = new Out();
      o.topic = topic;
      o.key = key.getBytes(StandardCharsets.UTF_8);
      o.value = value.getBytes(StandardCharsets.UTF_8);
      return o;
    }
  }

  /** A closed window of one merchant x currency. */
  public static class Closed {
    public String key;
    public long start;
    public long end;
    public WindowAgg agg;

    public Closed() {}
  }

  static final class Deserialize implements KafkaRecordDeserializationSchema<Decoded> {
    private transient Decoder decoder;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Decoded> out) {
      touch();
      records.incrementAndGet();
      if (decoder == null)
        decoder = new Decoder();
      Decoded d = new Decoded();
      Transaction t = new Transaction();
      Decoder.Result res = decoder.decode(r.value(), t);
      if (res.ok()) {
        t.partition = r.partition();
        t.offset = r.offset();
        d.txn = t;
      } else {
        d.key = r.key();
        d.payload = r.value();
        d.dlReason = res.reason;
        d.dlDetail = res.detail;
        d.dlSource = r.topic() + "/" + r.partition() + "/" + r.offset();
      }
      out.collect(d);
    }

    @Override
    public TypeInformation<Decoded> getProducedType() {
      return TypeInformation.of(Decoded.class);
    }
  }

  static final class Serialize implements KafkaRecordSerializationSchema<Out> {
    @Override
    public ProducerRecord<byte[], byte[]> serialize(Out o, KafkaSinkContext ctx, Long timestamp) {
      RecordHeaders h = new RecordHeaders();
      if (o.dlReason != null) {
        h.add("x-txstream-error", o.dlReason.getBytes(StandardCharsets.UTF_8));
        h.add("x-txstream-error-detail", o.dlDetail.getBytes(StandardCharsets.UTF_8));
        h.add("x-txstream-source", o.dlSource.getBytes(StandardCharsets.UTF_8));
      }
      // No timestamp: the producer stamps CreateTime when it sends.
      return new ProducerRecord<>(o.topic, null, null, o.key, o.value, h);
    }
  }

  static final class Detect extends KeyedProcessFunction<String, Transaction, Out> {
    private final String topic;
    private transient ValueState<Fraud.UserState> user;
    private transient List<Fraud.Hit> hits;

    Detect(String topic) {
      this.topic = topic;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
      user = getRuntimeContext().getState(new ValueStateDescriptor<>("user", Fraud.UserState.class));
      hits = new ArrayList<>();
    }

    @Override
    public void processElement(Transaction t, Context ctx, Collector<Out> out) throws Exception {
      touch();
      Fraud.UserState u = user.value();
      if (u == null)
        u = new Fraud.UserState();
      Fraud.process(u, t, System.currentTimeMillis(), hits);
      user.update(u);
      for (Fraud.Hit h : hits) {
        anomalies.incrementAndGet();
        out.collect(Out.of(topic, t.userId, h.json));
      }
      hits.clear();
    }
  }

  static final class Aggregate implements AggregateFunction<Transaction, WindowAgg, WindowAgg> {
    @Override
    public WindowAgg createAccumulator() {
      return new WindowAgg();
    }

    @Override
    public WindowAgg add(Transaction t, WindowAgg a) {
      touch();
      return a.add(t);
    }

    @Override
    public WindowAgg getResult(WindowAgg a) {
      return a;
    }

    @Override
    public WindowAgg merge(WindowAgg a, WindowAgg b) {
      return a.merge(b);
    }
  }

  static final class WithWindow extends ProcessWindowFunction<WindowAgg, Closed, String, TimeWindow> {
    @Override
    public void process(String key, Context ctx, Iterable<WindowAgg> aggs, Collector<Closed> out) {
      Closed c = new Closed();
      c.key = key;
      c.start = ctx.window().getStart();
      c.end = ctx.window().getEnd();
      c.agg = aggs.iterator().next();
      out.collect(c);
    }
  }

  /** Emits the window, then its key's running total with the window folded in. */
  static final class Totals extends KeyedProcessFunction<String, Closed, Out> {
    private final String topic;
    private transient ValueState<RunningTotal> total;

    Totals(String topic) {
      this.topic = topic;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
      total = getRuntimeContext().getState(new ValueStateDescriptor<>("total", RunningTotal.class));
    }

    @Override
    public void processElement(Closed c, Context ctx, Collector<Out> out) throws Exception {
      touch();
      int bar = c.key.lastIndexOf('|');
      String merchant = c.key.substring(0, bar);
      String currency = c.key.substring(bar + 1);
      out.collect(Out.of(topic, merchant, Json.window(merchant, currency, c.start, c.end, c.agg)));
      RunningTotal t = total.value();
      if (t == null)
        t = new RunningTotal();
      if (t.fold(c.end, c.agg)) {
        total.update(t);
        out.collect(Out.of(topic, merchant, Json.total(merchant, currency, t)));
      }
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i];
      if (!k.startsWith("--"))
        throw new IllegalArgumentException("unexpected argument " + k);
      k = k.substring(2);
      if (k.equals("until-drained"))
        a.put(k, "true");
      else if (i + 1 < args.length)
        a.put(k, args[++i]);
      else
        throw new IllegalArgumentException("--" + k + " needs a value");
    }
    for (String need : List.of("bootstrap", "input", "aggregates", "anomalies", "deadletter", "group"))
      if (!a.containsKey(need))
        throw new IllegalArgumentException("--" + need + " is required");
    return a;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    boolean drain = a.containsKey("until-drained");
    Configuration conf = new Configuration();
    // Heap state is snapshotted to files: the default (the JobManager's
    // memory) refuses states of millions of users.
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        java.nio.file.Path.of(a.getOrDefault("checkpoint-dir",
            Files.createTempDirectory("flink-checkpoints").toString())).toAbsolutePath().toUri().toString());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
        Integer.parseInt(a.getOrDefault("parallelism", "2")), conf);
    env.enableCheckpointing(Long.parseLong(a.getOrDefault("checkpoint-ms", "30000")), CheckpointingMode.AT_LEAST_ONCE);

    var source = KafkaSource.<Decoded>builder()
        .setBootstrapServers(a.get("bootstrap"))
        .setTopics(a.get("input"))
        .setGroupId(a.get("group"))
        .setStartingOffsets(OffsetsInitializer.earliest())
        .setDeserializer(new Deserialize());
    if (drain)
      source.setBounded(OffsetsInitializer.latest());
    // Per partition (the source applies the strategy to each split): the
    // watermark trails the partition's newest event by 5 s; an invalid
    // record has no event time and moves nothing.
    WatermarkStrategy<Decoded> watermarks = WatermarkStrategy
        .<Decoded>forBoundedOutOfOrderness(Duration.ofMillis(OUT_OF_ORDER_MS))
        .withTimestampAssigner((d, kafkaTs) -> d.txn != null ? d.txn.eventTimeMs : Long.MIN_VALUE);
    DataStream<Decoded> decoded = env.fromSource(source.build(), watermarks, "input");

    String deadletter = a.get("deadletter");
    OutputTag<Out> invalid = new OutputTag<>("invalid", TypeInformation.of(Out.class));
    SingleOutputStreamOperator<Transaction> txns = decoded
        .process(new ProcessFunction<Decoded, Transaction>() {
          @Override
          public void processElement(Decoded d, Context ctx, Collector<Transaction> out) {
            if (d.txn != null) {
              out.collect(d.txn);
              return;
            }
            Out o = new Out();
            o.topic = deadletter;
            o.key = d.key;
            o.value = d.payload;
            o.dlReason = d.dlReason;
            o.dlDetail = d.dlDetail;
            o.dlSource = d.dlSource;
            ctx.output(invalid, o);
          }
        }, TypeInformation.of(Transaction.class)).name("split-invalid");

    DataStream<Out> alerts = txns.keyBy(t -> t.userId).process(new Detect(a.get("anomalies"))).name("detect");

    OutputTag<Transaction> lateTag = new OutputTag<>("late", TypeInformation.of(Transaction.class));
    SingleOutputStreamOperator<Closed> closed = txns
        .keyBy(Transaction::merchantCurrency)
        .window(TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW_MS)))
        .sideOutputLateData(lateTag)
        .aggregate(new Aggregate(), new WithWindow())
        .name("windows");
    DataStream<Out> aggregates = closed.keyBy(c -> c.key).process(new Totals(a.get("aggregates"))).name("totals");
    String input = a.get("input");
    DataStream<Out> lateLetters = closed.getSideOutput(lateTag).map(t -> {
      late.incrementAndGet();
      Out o = Out.of(deadletter, t.userId, t.toJson());
      o.dlReason = "late";
      o.dlDetail = "event time " + t.eventTimeMs + " is in a window behind the watermark";
      o.dlSource = input + "/" + t.partition + "/" + t.offset;
      return o;
    }).returns(Out.class).name("late-dead-letters");

    KafkaSink<Out> sink = KafkaSink.<Out>builder()
        .setBootstrapServers(a.get("bootstrap"))
        .setRecordSerializer(new Serialize())
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
    alerts.union(aggregates, txns.getSideOutput(invalid), lateLetters).sinkTo(sink).name("output");

    env.execute("txstream-peer");
    long first = firstNanos.get();
    long startupMs = first == 0 ? -1
        : System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()
            - (System.nanoTime() - first) / 1_000_000;
    System.out.printf("flink records=%d late=%d anomalies=%d startup_ms=%d busy_ms=%d%n",
        records.get(), late.get(), anomalies.get(), startupMs,
        first == 0 ? 0 : (lastNanos - first) / 1_000_000);
    System.exit(0);
  }
}
