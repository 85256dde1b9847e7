"""The reference design's Spark job: per merchant, the sum of amounts and
the count of transactions, from the transactions topic to the aggregates
topic, in update mode.

Written as the reference design has it; what differs is only where it runs
and when it stops: the broker address, the topic names and the checkpoint
directory come from the environment, and with --until-drained the query
uses the availableNow trigger (everything in the topic, then stop) instead
of the default one. It prints one line with the query's wall-clock start
and end (epoch ms) and the records it read:
  spark query_start_ms=<> query_end_ms=<> records=<> batches=<>
"""
import os
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, count, from_json, struct, sum, to_json
from pyspark.sql.types import (BooleanType, DoubleType, LongType, StringType,
                               StructField, StructType)

KAFKA_BROKERS = os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092")
SOURCE_TOPIC = os.environ.get("SOURCE_TOPIC", "financial_transactions")
AGGREGATES_TOPIC = os.environ.get("AGGREGATES_TOPIC", "transaction_aggregates")
CHECKPOINT_DIR = os.environ.get("CHECKPOINT_DIR", "/tmp/spark_checkpoints")
UNTIL_DRAINED = "--until-drained" in sys.argv[1:]

spark = (SparkSession.builder
         .appName("FinancialTransactionsProcessor")
         .master("local[2]")
         .getOrCreate())
spark.sparkContext.setLogLevel("WARN")

transaction_schema = StructType([
    StructField("transactionId", StringType(), True),
    StructField("userId", StringType(), True),
    StructField("amount", DoubleType(), True),
    StructField("transactionTime", LongType(), True),
    StructField("merchantId", StringType(), True),
    StructField("transactionType", StringType(), True),
    StructField("location", StringType(), True),
    StructField("paymentMethod", StringType(), True),
    StructField("currency", StringType(), True),
    StructField("isInternational", BooleanType(), True),
])

kafka_stream = (spark.readStream
                .format("kafka")
                .option("kafka.bootstrap.servers", KAFKA_BROKERS)
                .option("subscribe", SOURCE_TOPIC)
                .option("startingOffsets", "earliest")
                .load())

transactions_df = (kafka_stream
                   .selectExpr("CAST(value AS STRING)")
                   .select(from_json(col("value"), transaction_schema).alias("data"))
                   .select("data.*"))

aggregated_df = transactions_df.groupBy("merchantId").agg(
    sum("amount").alias("totalAmount"),
    count("*").alias("transactionCount"))

writer = (aggregated_df
          .withColumn("key", col("merchantId"))
          .withColumn("value", to_json(struct(col("merchantId"), col("totalAmount"),
                                              col("transactionCount"))))
          .selectExpr("key", "value")
          .writeStream
          .format("kafka")
          .outputMode("update")
          .option("kafka.bootstrap.servers", KAFKA_BROKERS)
          .option("topic", AGGREGATES_TOPIC)
          .option("checkpointLocation", f"{CHECKPOINT_DIR}/aggregates"))
if UNTIL_DRAINED:
    writer = writer.trigger(availableNow=True)

start_ms = int(time.time() * 1000)
query = writer.start()
query.awaitTermination()
end_ms = int(time.time() * 1000)
progress = query.recentProgress
print(f"spark query_start_ms={start_ms} query_end_ms={end_ms} "
      f"records={__builtins__.sum(p['numInputRows'] for p in progress)} batches={len(progress)}",
      flush=True)
spark.stop()
