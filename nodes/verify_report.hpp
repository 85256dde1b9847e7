// The checks of `txstream verify` as plain C++ over in-memory records: the
// input topic, dead letters, aggregates and anomalies go in (in any order),
// a report comes out. No Kafka here, so every failure kind is unit-tested.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/fraud_evaluation.hpp"
#include "messages/transaction_decoder.hpp"

namespace txstream {

/// What `txstream verify` checks against.
struct verify_options {
  std::string input_topic = "financial_transactions";
  std::int64_t window_ms = 60000;
  /// Windows ending after (min over input partitions of the max counted
  /// event time) - lateness cannot have closed yet: missing ones are "open".
  std::int64_t allowed_lateness_ms = 5000;
  /// Treat open windows as missing (the pipeline was drained and flushed).
  bool require_all_windows = false;
  double min_recall = 0.99;
  double min_precision = 0.99;
  /// Example problems listed per kind; the counts are always complete.
  std::size_t max_examples = 10;
  /// The aggregates topic holds per-merchant totals over every valid record
  /// ({"merchantId","totalAmount","transactionCount"}, what a job that only
  /// groups by merchant writes, e.g. the reference design's Spark job):
  /// check the newest total of each merchant against the input, and
  /// nothing else (no windows, running totals or fraud).
  bool merchant_totals = false;
};

/// The values of one window (or the sum of several), in minor units.
struct window_values {
  std::int64_t count = 0;
  std::int64_t purchase = 0;
  std::int64_t refund = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;

  void add(std::int64_t amount_cents, bool refund);
  void merge(const window_values& other);
};

inline bool operator==(const window_values& a, const window_values& b) {
  return a.count == b.count && a.purchase == b.purchase && a.refund == b.refund && a.min == b.min
         && a.max == b.max;
}

inline bool operator!=(const window_values& a, const window_values& b) {
  return !(a == b);
}

/// Everything `txstream verify` found. Counts are complete; `problems`
/// holds up to max_examples descriptions per kind of error.
struct verify_report {
  // a. input and dead letters
  std::uint64_t input_records = 0;
  std::uint64_t valid_records = 0;
  std::uint64_t invalid_records = 0;
  std::uint64_t counted_records = 0;        // valid and not dead-lettered
  std::uint64_t lost_records = 0;           // invalid and not dead-lettered: error
  std::uint64_t key_mismatches = 0;         // Kafka key != userId: warning
  std::uint64_t dead_letters = 0;           // records on the dead-letter topic
  std::uint64_t dead_lettered_records = 0;  // distinct input records
  std::map<std::string, std::uint64_t> dead_lettered_by_reason;
  std::uint64_t duplicate_dead_letters = 0;  // extra copies (at-least-once)
  std::uint64_t unknown_dead_letters = 0;    // source not an input record: warning
  std::uint64_t reason_disagreements = 0;    // warning

  // a. windows
  std::int64_t watermark_ms = 0;       // windows ending after it may be open
  std::uint64_t windows_expected = 0;  // recomputed from counted records
  std::uint64_t windows_emitted = 0;   // distinct merchant/currency/start
  std::uint64_t windows_matched = 0;
  std::uint64_t windows_mismatched = 0;
  std::uint64_t windows_missing = 0;
  std::uint64_t windows_open = 0;  // not emitted, may not have closed yet
  std::uint64_t windows_unexpected = 0;
  std::uint64_t windows_counting_dead_letters = 0;  // dead-lettered and counted
  std::uint64_t duplicate_emissions = 0;            // identical re-emissions
  std::uint64_t conflicting_emissions = 0;          // same key, other values: error
  std::uint64_t malformed_aggregates = 0;

  // b. running totals
  std::uint64_t totals_checked = 0;  // merchant x currency keys with a total
  std::uint64_t totals_matched = 0;
  std::uint64_t totals_mismatched = 0;
  std::uint64_t totals_missing = 0;  // emitted windows but no total
  std::uint64_t totals_conflicting = 0;

  // b'. per-merchant totals (verify_options::merchant_totals)
  std::uint64_t merchants_expected = 0;  // merchants of valid input records
  std::uint64_t merchants_matched = 0;
  std::uint64_t merchants_mismatched = 0;  // newest total differs: error
  std::uint64_t merchants_missing = 0;     // no total: error
  std::uint64_t merchants_unexpected = 0;  // a total for no input: error
  std::uint64_t merchant_totals_read = 0;

  // c. fraud
  std::vector<scenario_score> fraud;
  std::uint64_t labelled_records = 0;
  std::uint64_t anomalies = 0;
  std::uint64_t malformed_anomalies = 0;
  std::uint64_t malformed_labels = 0;
  std::uint64_t recall_failures = 0;
  std::uint64_t precision_failures = 0;

  std::vector<std::string> read_errors;                       // incomplete reads: error
  std::vector<std::pair<std::string, std::string>> problems;  // kind, text
  std::vector<std::string> warnings;

  bool input_ok() const;
  bool windows_ok() const;
  bool totals_ok() const;
  bool fraud_ok() const;
  bool merchant_totals_ok() const;

  /// All checks hold.
  bool ok() const {
    return read_errors.empty() && input_ok() && windows_ok() && totals_ok() && fraud_ok()
           && merchant_totals_ok();
  }
};

/// Collects records, in any order, then checks them.
class verify_checker {
public:
  explicit verify_checker(verify_options opts = {});

  /// One record of the input topic; `fraud_label` is its x-txstream-fraud
  /// header ("" when absent).
  void add_input(std::int32_t partition, std::int64_t offset, std::string_view key,
                 std::string_view payload, std::string_view fraud_label);

  /// One dead letter: its x-txstream-error and x-txstream-source headers.
  void add_dead_letter(std::string_view error, std::string_view source);

  /// One record of transaction_aggregates (a window or a running total).
  void add_aggregate(std::string_view json);

  /// One record of transaction_anomalies.
  void add_anomaly(std::string_view json);

  /// A topic could not be read completely.
  void add_read_error(std::string text);

  verify_report finish() const;

  const verify_options& options() const {
    return opts_;
  }

private:
  class problem_log;  // example problems, at most max_examples per kind
  using position = std::pair<std::int32_t, std::int64_t>;    // partition, offset
  using window_id = std::pair<std::uint32_t, std::int64_t>;  // key, start
  using window_map = std::map<window_id, window_values>;
  /// The windows as the input says they must be.
  struct recomputed {
    window_map counted;        // from valid records that were not dead-lettered
    window_map dead_lettered;  // from valid records that were (late)
    std::map<std::int32_t, std::int64_t> max_event_time;  // of counted records, per partition
  };

  // The steps of finish(), in order; each fills its part of the report.
  void check_invalid_records(verify_report& r, problem_log& problems,
                             std::vector<position>& positions) const;
  recomputed recompute_windows(verify_report& r, std::vector<position>& positions) const;
  void check_dead_letters(std::vector<position>& positions, verify_report& r) const;
  void check_merchant_totals(verify_report& r, problem_log& problems) const;
  std::int64_t watermark(const recomputed& expected) const;
  window_map check_emissions(verify_report& r, problem_log& problems) const;
  void check_windows(const recomputed& expected, const window_map& emitted, verify_report& r,
                     problem_log& problems) const;
  void check_totals(const window_map& emitted, verify_report& r, problem_log& problems) const;
  void check_fraud(verify_report& r, problem_log& problems) const;

  std::string where(const position& pos) const;
  std::string window_name(const window_id& w) const;

  struct counted {  // a valid input record
    std::int32_t partition;
    std::int64_t offset;
    std::uint32_t key;  // interned merchant x currency
    std::int64_t event_time_ms;
    std::int64_t amount_cents;
    bool refund;
  };
  struct invalid {
    std::int32_t partition;
    std::int64_t offset;
    dead_letter_reason reason;
    std::string detail;
  };
  struct emitted_window {
    std::uint32_t key;
    std::int64_t start;
    window_values values;
  };
  struct emitted_total {
    std::uint32_t key;
    std::int64_t last_window_end;
    std::int64_t count, purchase, refund;
  };
  struct dead_letter {
    std::string error;
    std::uint64_t copies = 0;
  };
  struct merchant_sum {
    std::int64_t count = 0;
    std::int64_t cents = 0;
  };

  std::uint32_t intern(const std::string& merchant, const std::string& currency);
  void malformed_aggregate(std::string_view json, const std::string& why);

  verify_options opts_;
  transaction_decoder decoder_;
  transaction txn_;  // reused decode target
  std::unordered_map<std::string, std::uint32_t> key_ids_;
  std::vector<std::pair<std::string, std::string>> keys_;  // merchant, currency
  std::vector<counted> valid_;
  std::vector<invalid> invalid_;
  std::uint64_t key_mismatches_ = 0;
  std::map<std::pair<std::int32_t, std::int64_t>, dead_letter> dead_letters_;
  std::uint64_t dead_letter_records_ = 0;
  std::uint64_t unparsable_sources_ = 0;
  std::vector<std::string> unparsable_examples_;
  std::vector<emitted_window> windows_;
  std::vector<emitted_total> totals_;
  std::uint64_t malformed_aggregates_ = 0;
  std::vector<std::string> malformed_examples_;
  std::map<std::string, merchant_sum> merchant_expected_;  // merchant_totals
  std::map<std::string, merchant_sum> merchant_newest_;    // highest count read
  std::uint64_t merchant_totals_read_ = 0;
  fraud_evaluation fraud_;
  std::uint64_t labelled_ = 0;
  std::uint64_t anomalies_ = 0;
  std::uint64_t malformed_anomalies_ = 0;
  std::vector<std::string> read_errors_;
};

/// The human report: summary lines, tables, example problems, verdict.
std::string format_text(const verify_report& r, const verify_options& opts);

/// The report as one JSON document (for --json).
std::string format_json(const verify_report& r, const verify_options& opts);

}  // namespace txstream
