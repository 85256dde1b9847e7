#include "nodes/verify_report.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>  // output records are parsed off the hot path

#include "actors/tumbling_window.hpp"
#include "messages/decimal.hpp"

namespace txstream {

namespace {

using json = nlohmann::json;

std::string cents(std::int64_t x) {
  std::string out;
  append_cents(out, x);
  return out;
}

std::string describe(const window_values& v) {
  return "count=" + std::to_string(v.count) + " purchase=" + cents(v.purchase)
         + " refund=" + cents(v.refund) + " net=" + cents(v.purchase - v.refund)
         + " min=" + cents(v.min) + " max=" + cents(v.max);
}

// A JSON number as exact minor units. Amounts are written with two decimals;
// more digits than that are a contract violation, not something to round.
std::optional<std::int64_t> money(const json& j) {
  if (j.is_number_unsigned() || j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    std::int64_t r = 0;
    if (__builtin_mul_overflow(v, 100, &r))
      return std::nullopt;
    return r;
  }
  if (!j.is_number_float())
    return std::nullopt;
  // dump() is the shortest text that reads back as the same double, i.e.
  // the text the producer wrote for any amount of up to 15 digits.
  auto text = j.dump();
  bool negative = !text.empty() && text[0] == '-';
  std::string_view digits{text};
  if (negative)
    digits.remove_prefix(1);
  auto two = parse_scaled(digits, 2);
  auto three = parse_scaled(digits, 3);
  if (!two || !three || *three != *two * 10)
    return std::nullopt;
  return negative ? -*two : *two;
}

std::optional<std::int64_t> integer(const json& j) {
  if (j.is_number_integer())
    return j.get<std::int64_t>();
  return std::nullopt;
}

const json* member(const json& j, const char* name) {
  auto i = j.find(name);
  return i == j.end() ? nullptr : &*i;
}

std::optional<std::string> text(const json& j, const char* name) {
  auto* m = member(j, name);
  if (m == nullptr || !m->is_string())
    return std::nullopt;
  return m->get<std::string>();
}

std::optional<std::int64_t> integer(const json& j, const char* name) {
  auto* m = member(j, name);
  return m == nullptr ? std::nullopt : integer(*m);
}

std::optional<std::int64_t> money(const json& j, const char* name) {
  auto* m = member(j, name);
  return m == nullptr ? std::nullopt : money(*m);
}

// "topic/partition/offset"; topic names cannot contain '/'.
bool parse_source(std::string_view s, std::string_view& topic, std::int32_t& partition,
                  std::int64_t& offset) {
  auto last = s.rfind('/');
  if (last == std::string_view::npos || last == 0)
    return false;
  auto mid = s.rfind('/', last - 1);
  if (mid == std::string_view::npos)
    return false;
  auto number = [](std::string_view t, std::int64_t& out) {
    if (t.empty() || t.size() > 18)
      return false;
    out = 0;
    for (char c : t) {
      if (c < '0' || c > '9')
        return false;
      out = out * 10 + (c - '0');
    }
    return true;
  };
  std::int64_t p = 0;
  if (!number(s.substr(mid + 1, last - mid - 1), p) || p > INT32_MAX
      || !number(s.substr(last + 1), offset))
    return false;
  partition = static_cast<std::int32_t>(p);
  topic = s.substr(0, mid);
  return !topic.empty();
}

}  // namespace

void window_values::add(std::int64_t amount_cents, bool is_refund) {
  if (count == 0) {
    min = max = amount_cents;
  } else {
    min = std::min(min, amount_cents);
    max = std::max(max, amount_cents);
  }
  ++count;
  (is_refund ? refund : purchase) += amount_cents;
}

void window_values::merge(const window_values& other) {
  if (other.count == 0)
    return;
  if (count == 0) {
    *this = other;
    return;
  }
  min = std::min(min, other.min);
  max = std::max(max, other.max);
  count += other.count;
  purchase += other.purchase;
  refund += other.refund;
}

bool verify_report::input_ok() const {
  return lost_records == 0;
}

bool verify_report::windows_ok() const {
  return windows_mismatched == 0 && windows_missing == 0 && windows_unexpected == 0
         && windows_counting_dead_letters == 0 && conflicting_emissions == 0
         && malformed_aggregates == 0;
}

bool verify_report::totals_ok() const {
  return totals_mismatched == 0 && totals_missing == 0 && totals_conflicting == 0;
}

bool verify_report::merchant_totals_ok() const {
  return merchants_mismatched == 0 && merchants_missing == 0 && merchants_unexpected == 0;
}

bool verify_report::fraud_ok() const {
  return recall_failures == 0 && precision_failures == 0 && malformed_anomalies == 0;
}

verify_checker::verify_checker(verify_options opts) : opts_(std::move(opts)) {
  // nop
}

std::uint32_t verify_checker::intern(const std::string& merchant, const std::string& currency) {
  std::string k = merchant;
  k += '\0';
  k += currency;
  auto [i, added] = key_ids_.emplace(std::move(k), static_cast<std::uint32_t>(keys_.size()));
  if (added)
    keys_.emplace_back(merchant, currency);
  return i->second;
}

void verify_checker::add_input(std::int32_t partition, std::int64_t offset, std::string_view key,
                               std::string_view payload, std::string_view fraud_label) {
  auto res = decoder_.decode(payload, txn_);
  if (!res.ok()) {
    invalid_.push_back(invalid{partition, offset, res.reason, txstream::describe(res)});
    return;
  }
  if (key != txn_.user_id)
    ++key_mismatches_;
  if (opts_.merchant_totals) {
    auto& m = merchant_expected_[txn_.merchant_id];
    ++m.count;
    m.cents += txn_.amount_cents;
  }
  valid_.push_back(counted{partition, offset, intern(txn_.merchant_id, txn_.currency),
                           txn_.event_time_ms, txn_.amount_cents,
                           txn_.type == transaction_type::refund});
  if (!fraud_label.empty()) {
    ++labelled_;
    fraud_.add_label(txn_.transaction_id, fraud_label);
  }
}

void verify_checker::add_dead_letter(std::string_view error, std::string_view source) {
  ++dead_letter_records_;
  std::string_view topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  if (!parse_source(source, topic, partition, offset) || topic != opts_.input_topic) {
    ++unparsable_sources_;
    if (unparsable_examples_.size() < opts_.max_examples)
      unparsable_examples_.emplace_back(source);
    return;
  }
  auto& d = dead_letters_[{partition, offset}];
  if (d.copies++ == 0)
    d.error = std::string{error};
}

void verify_checker::malformed_aggregate(std::string_view json_text, const std::string& why) {
  ++malformed_aggregates_;
  if (malformed_examples_.size() < opts_.max_examples)
    malformed_examples_.push_back(why + ": " + std::string{json_text.substr(0, 300)});
}

void verify_checker::add_aggregate(std::string_view json_text) {
  auto j = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    malformed_aggregate(json_text, "not a JSON object");
    return;
  }
  if (opts_.merchant_totals) {
    // The sum is a double over amounts of two decimals: exact to the cent
    // after rounding for any realistic total (< 2^53 cents).
    auto merchant = text(j, "merchantId");
    auto count = integer(j, "transactionCount");
    auto* amount = member(j, "totalAmount");
    if (!merchant || !count || amount == nullptr || !amount->is_number()) {
      malformed_aggregate(json_text,
                          "not a merchant total (merchantId, totalAmount, transactionCount)");
      return;
    }
    ++merchant_totals_read_;
    // At-least-once and update mode: the newest total of a merchant is the
    // one with the highest count.
    auto& newest = merchant_newest_[*merchant];
    if (*count >= newest.count) {
      newest.count = *count;
      newest.cents = std::llround(amount->get<double>() * 100.0);
    }
    return;
  }
  auto type = text(j, "type");
  auto merchant = text(j, "merchantId");
  auto currency = text(j, "currency");
  auto count = integer(j, "transactionCount");
  auto purchase = money(j, "purchaseAmount");
  auto refund = money(j, "refundAmount");
  auto net = money(j, "netAmount");
  if (!type || !merchant || !currency || !count || !purchase || !refund || !net) {
    malformed_aggregate(json_text, "a field is missing or has the wrong type");
    return;
  }
  if (*net != *purchase - *refund) {
    malformed_aggregate(json_text, "netAmount != purchaseAmount - refundAmount");
    return;
  }
  if (*type == "window") {
    auto start = integer(j, "windowStart");
    auto end = integer(j, "windowEnd");
    auto min = money(j, "minAmount");
    auto max = money(j, "maxAmount");
    if (!start || !end || !min || !max) {
      malformed_aggregate(json_text, "a window field is missing or has the wrong type");
      return;
    }
    if (*end - *start != opts_.window_ms || window_start_of(*start, opts_.window_ms) != *start) {
      malformed_aggregate(json_text,
                          "not an aligned window of " + std::to_string(opts_.window_ms) + " ms");
      return;
    }
    windows_.push_back(emitted_window{intern(*merchant, *currency), *start,
                                      window_values{*count, *purchase, *refund, *min, *max}});
  } else if (*type == "total") {
    auto last = integer(j, "lastWindowEnd");
    if (!last) {
      malformed_aggregate(json_text, "lastWindowEnd is missing or not an integer");
      return;
    }
    totals_.push_back(
      emitted_total{intern(*merchant, *currency), *last, *count, *purchase, *refund});
  } else {
    malformed_aggregate(json_text, "unknown type '" + *type + "'");
  }
}

void verify_checker::add_anomaly(std::string_view json_text) {
  ++anomalies_;
  auto j = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  auto* txns = j.is_object() ? member(j, "transactions") : nullptr;
  auto rule = j.is_object() ? text(j, "ruleId") : std::nullopt;
  if (!rule || txns == nullptr || !txns->is_array()) {
    ++malformed_anomalies_;
    return;
  }
  anomaly a;
  a.rule_id = *rule;
  for (const auto& t : *txns) {
    auto id = t.is_object() ? text(t, "transactionId") : std::nullopt;
    if (!id) {
      ++malformed_anomalies_;
      return;
    }
    anomaly_transaction at;
    at.transaction_id = *id;
    at.source.partition = static_cast<std::int32_t>(integer(t, "partition").value_or(-1));
    at.source.offset = integer(t, "offset").value_or(-1);
    a.transactions.push_back(std::move(at));
  }
  fraud_.add_anomaly(a);
}

void verify_checker::add_read_error(std::string text) {
  read_errors_.push_back(std::move(text));
}

// The problem examples of a report, at most `limit` per kind.
class verify_checker::problem_log {
public:
  problem_log(verify_report& r, std::size_t limit) : r_(r), limit_(limit) {
    // nop
  }

  void add(const std::string& kind, std::string text) {
    if (seen_[kind]++ < limit_)
      r_.problems.emplace_back(kind, std::move(text));
  }

private:
  verify_report& r_;
  std::size_t limit_;
  std::map<std::string, std::size_t> seen_;
};

std::string verify_checker::where(const position& pos) const {
  return opts_.input_topic + "/" + std::to_string(pos.first) + "/" + std::to_string(pos.second);
}

std::string verify_checker::window_name(const window_id& w) const {
  const auto& [merchant, currency] = keys_[w.first];
  return merchant + "/" + currency + " window " + std::to_string(w.second);
}

verify_report verify_checker::finish() const {
  verify_report r;
  problem_log problems{r, opts_.max_examples};
  r.read_errors = read_errors_;
  // a. Every input record: dead-lettered, or valid and counted.
  r.input_records = valid_.size() + invalid_.size();
  r.valid_records = valid_.size();
  r.invalid_records = invalid_.size();
  r.key_mismatches = key_mismatches_;
  r.dead_letters = dead_letter_records_;
  std::vector<position> positions;  // of every input record
  positions.reserve(r.input_records);
  check_invalid_records(r, problems, positions);
  const auto expected = recompute_windows(r, positions);
  check_dead_letters(positions, r);
  if (opts_.merchant_totals) {
    // A job that only sums per merchant: nothing else to check.
    check_merchant_totals(r, problems);
    return r;
  }
  r.watermark_ms = watermark(expected);
  const auto emitted = check_emissions(r, problems);
  check_windows(expected, emitted, r, problems);
  // b. The running totals.
  check_totals(emitted, r, problems);
  // c. Fraud detection against the generator's labels.
  check_fraud(r, problems);
  return r;
}

/// --merchant-totals: the newest total per merchant against the sum and
/// count of its valid input records.
void verify_checker::check_merchant_totals(verify_report& r, problem_log& problems) const {
  r.malformed_aggregates = malformed_aggregates_;
  for (const auto& m : malformed_examples_)
    problems.add("malformed aggregate", m);
  r.merchant_totals_read = merchant_totals_read_;
  r.merchants_expected = merchant_expected_.size();
  for (const auto& [merchant, want] : merchant_expected_) {
    auto got = merchant_newest_.find(merchant);
    if (got == merchant_newest_.end()) {
      ++r.merchants_missing;
      problems.add("missing merchant total",
                   merchant + ": no total, expected count=" + std::to_string(want.count)
                     + " amount=" + cents(want.cents));
    } else if (got->second.count != want.count || got->second.cents != want.cents) {
      ++r.merchants_mismatched;
      problems.add("wrong merchant total",
                   merchant + ": newest total count=" + std::to_string(got->second.count)
                     + " amount=" + cents(got->second.cents) + ", input count="
                     + std::to_string(want.count) + " amount=" + cents(want.cents));
    } else {
      ++r.merchants_matched;
    }
  }
  for (const auto& [merchant, got] : merchant_newest_)
    if (merchant_expected_.count(merchant) == 0) {
      ++r.merchants_unexpected;
      problems.add("unexpected merchant total",
                   merchant + " has a total but no valid input record");
    }
}

/// Each invalid record must be on the dead-letter topic.
void verify_checker::check_invalid_records(verify_report& r, problem_log& problems,
                                           std::vector<position>& positions) const {
  for (const auto& x : invalid_) {
    positions.emplace_back(x.partition, x.offset);
    auto d = dead_letters_.find({x.partition, x.offset});
    if (d == dead_letters_.end()) {
      ++r.lost_records;
      problems.add("lost record", where({x.partition, x.offset}) + " is invalid ("
                                    + to_string(x.reason) + ": " + x.detail
                                    + ") but not dead-lettered");
      continue;
    }
    ++r.dead_lettered_records;
    ++r.dead_lettered_by_reason[d->second.error];
    if (d->second.error != to_string(x.reason))
      ++r.reason_disagreements;
  }
}

/// The windows the valid records make: counted ones, and those a node
/// dead-lettered (as late), kept apart.
verify_checker::recomputed
verify_checker::recompute_windows(verify_report& r, std::vector<position>& positions) const {
  recomputed out;
  for (const auto& x : valid_) {
    positions.emplace_back(x.partition, x.offset);
    window_id w{x.key, window_start_of(x.event_time_ms, opts_.window_ms)};
    auto d = dead_letters_.find({x.partition, x.offset});
    if (d != dead_letters_.end()) {
      ++r.dead_lettered_records;
      ++r.dead_lettered_by_reason[d->second.error];
      if (d->second.error != to_string(dead_letter_reason::late))
        ++r.reason_disagreements;
      out.dead_lettered[w].add(x.amount_cents, x.refund);
      continue;
    }
    ++r.counted_records;
    out.counted[w].add(x.amount_cents, x.refund);
    auto [m, added] = out.max_event_time.emplace(x.partition, x.event_time_ms);
    if (!added)
      m->second = std::max(m->second, x.event_time_ms);
  }
  return out;
}

/// Dead letters that name no input record, or come more than once; the
/// warnings about the input.
void verify_checker::check_dead_letters(std::vector<position>& positions, verify_report& r) const {
  std::sort(positions.begin(), positions.end());
  std::vector<std::string> unknown;
  for (const auto& [pos, d] : dead_letters_) {
    r.duplicate_dead_letters += d.copies - 1;
    if (!std::binary_search(positions.begin(), positions.end(), pos)) {
      ++r.unknown_dead_letters;
      if (unknown.size() < opts_.max_examples)
        unknown.push_back(where(pos));
    }
  }
  r.unknown_dead_letters += unparsable_sources_;
  for (const auto& s : unparsable_examples_)
    r.warnings.push_back("dead letter with a source outside " + opts_.input_topic + ": '" + s
                         + "'");
  for (const auto& s : unknown)
    r.warnings.push_back("dead letter names " + s + ", which is not in the input read");
  if (r.reason_disagreements > 0)
    r.warnings.push_back(std::to_string(r.reason_disagreements)
                         + " dead letters give another reason than this decoder");
  if (r.key_mismatches > 0)
    r.warnings.push_back(std::to_string(r.key_mismatches)
                         + " input records have a Kafka key other than their userId");
}

/// Windows ending after this may still be open: the slowest partition's
/// watermark.
std::int64_t verify_checker::watermark(const recomputed& expected) const {
  auto result = no_event_time;
  for (const auto& [p, t] : expected.max_event_time) {
    auto wm = saturating_sub(t, opts_.allowed_lateness_ms);
    result = result == no_event_time ? wm : std::min(result, wm);
  }
  return result;
}

/// The emitted windows, deduplicated: a re-emission must be identical; and
/// the aggregate records that could not be read.
verify_checker::window_map verify_checker::check_emissions(verify_report& r,
                                                           problem_log& problems) const {
  window_map emitted;
  for (const auto& w : windows_) {
    window_id id{w.key, w.start};
    auto [i, added] = emitted.emplace(id, w.values);
    if (added)
      continue;
    if (i->second == w.values) {
      ++r.duplicate_emissions;
    } else {
      ++r.conflicting_emissions;
      problems.add("conflicting emission", window_name(id) + " emitted as " + describe(i->second)
                                             + " and as " + describe(w.values));
    }
  }
  r.malformed_aggregates = malformed_aggregates_;
  for (const auto& m : malformed_examples_)
    problems.add("malformed aggregate", m);
  return emitted;
}

/// Each emitted window against its recomputation, and the windows that
/// should have closed but were not emitted.
void verify_checker::check_windows(const recomputed& expected, const window_map& emitted,
                                   verify_report& r, problem_log& problems) const {
  r.windows_expected = expected.counted.size();
  r.windows_emitted = emitted.size();
  for (const auto& [id, values] : emitted) {
    auto e = expected.counted.find(id);
    auto d = expected.dead_lettered.find(id);
    if (e != expected.counted.end() && e->second == values) {
      ++r.windows_matched;
      continue;
    }
    if (d != expected.dead_lettered.end()) {
      // Does the window equal the recomputation plus dead-lettered records?
      window_values with = e != expected.counted.end() ? e->second : window_values{};
      with.merge(d->second);
      if (with == values) {
        ++r.windows_counting_dead_letters;
        problems.add("dead-lettered and counted",
                     window_name(id) + " counts " + std::to_string(d->second.count)
                       + " dead-lettered record(s): " + describe(values));
        continue;
      }
    }
    if (e == expected.counted.end()) {
      ++r.windows_unexpected;
      problems.add("unexpected window", window_name(id) + " emitted (" + describe(values)
                                          + ") but no counted input record is in it");
    } else {
      ++r.windows_mismatched;
      problems.add("wrong window", window_name(id) + " emitted " + describe(values)
                                     + ", recomputed " + describe(e->second));
    }
  }
  for (const auto& [id, values] : expected.counted) {
    if (emitted.count(id) != 0)
      continue;
    auto end = id.second + opts_.window_ms;
    if (!opts_.require_all_windows && end > r.watermark_ms) {
      ++r.windows_open;
      continue;
    }
    ++r.windows_missing;
    problems.add("missing window",
                 window_name(id) + " not emitted; recomputed " + describe(values));
  }
}

/// The latest total per key equals the sum of the key's emitted windows.
void verify_checker::check_totals(const window_map& emitted, verify_report& r,
                                  problem_log& problems) const {
  std::map<std::uint32_t, const emitted_total*> latest;
  std::map<std::uint32_t, bool> conflicting;
  auto same = [](const emitted_total& a, const emitted_total& b) {
    return a.count == b.count && a.purchase == b.purchase && a.refund == b.refund;
  };
  for (const auto& t : totals_) {
    auto [i, added] = latest.emplace(t.key, &t);
    if (added || t.last_window_end > i->second->last_window_end) {
      i->second = &t;
      conflicting[t.key] = false;
    } else if (t.last_window_end == i->second->last_window_end && !same(t, *i->second)) {
      conflicting[t.key] = true;
    }
  }
  std::map<std::uint32_t, window_values> sums;
  std::map<std::uint32_t, std::int64_t> last_end;
  for (const auto& [id, values] : emitted) {
    sums[id.first].merge(values);
    auto& e = last_end[id.first];
    e = std::max(e, id.second + opts_.window_ms);
  }
  r.totals_checked = latest.size();
  for (const auto& [key, t] : latest) {
    const auto& [merchant, currency] = keys_[key];
    auto name = merchant + "/" + currency;
    if (conflicting[key]) {
      ++r.totals_conflicting;
      problems.add("conflicting total", name + " has different totals for lastWindowEnd "
                                          + std::to_string(t->last_window_end));
      continue;
    }
    auto s = sums[key];
    if (s.count == t->count && s.purchase == t->purchase && s.refund == t->refund) {
      ++r.totals_matched;
      continue;
    }
    ++r.totals_mismatched;
    problems.add("wrong total",
                 name + " total (lastWindowEnd " + std::to_string(t->last_window_end)
                   + ") count=" + std::to_string(t->count) + " purchase=" + cents(t->purchase)
                   + " refund=" + cents(t->refund) + ", its emitted windows (last end "
                   + std::to_string(last_end[key]) + ") sum to count=" + std::to_string(s.count)
                   + " purchase=" + cents(s.purchase) + " refund=" + cents(s.refund));
  }
  for (const auto& [key, s] : sums) {
    if (latest.count(key) != 0)
      continue;
    ++r.totals_missing;
    const auto& [merchant, currency] = keys_[key];
    problems.add("missing total",
                 merchant + "/" + currency + " has emitted windows but no running total");
  }
}

/// Recall and precision per scenario against the options' minimums.
void verify_checker::check_fraud(verify_report& r, problem_log& problems) const {
  r.fraud = fraud_.results();
  r.labelled_records = labelled_;
  r.anomalies = anomalies_;
  r.malformed_anomalies = malformed_anomalies_;
  r.malformed_labels = fraud_.malformed_labels();
  if (r.malformed_anomalies > 0)
    problems.add("malformed anomaly", std::to_string(r.malformed_anomalies)
                                        + " anomaly records lack ruleId or "
                                          "transactions[].transactionId");
  if (r.malformed_labels > 0)
    r.warnings.push_back(std::to_string(r.malformed_labels)
                         + " x-txstream-fraud headers are malformed");
  std::uint64_t incomplete = 0;
  for (const auto& s : r.fraud)
    incomplete += s.incomplete;
  if (incomplete > 0)
    r.warnings.push_back(std::to_string(incomplete)
                         + " fraud instances lack transactions in the input (the "
                           "generator stopped before them: --no-drain-scenarios or a "
                           "second signal); reported as incomplete, not in recall");
  char buf[160];
  for (const auto& s : r.fraud) {
    if (s.instances > 0 && s.recall() < opts_.min_recall) {
      ++r.recall_failures;
      std::snprintf(
        buf, sizeof buf, "%s: recall %.4f < %.4f (%" PRIu64 " of %" PRIu64 " instances detected)",
        s.scenario.c_str(), s.recall(), opts_.min_recall, s.detected_instances, s.instances);
      problems.add("low recall", buf);
    }
    if (s.anomalies > 0 && s.precision() < opts_.min_precision) {
      ++r.precision_failures;
      std::snprintf(
        buf, sizeof buf, "%s: precision %.4f < %.4f (%" PRIu64 " of %" PRIu64 " anomalies true)",
        s.scenario.c_str(), s.precision(), opts_.min_precision, s.true_positives, s.anomalies);
      problems.add("low precision", buf);
    }
  }
}

namespace {

void row(std::string& out, const char* label, std::uint64_t value, const char* note = "") {
  char line[160];
  std::snprintf(line, sizeof line, "  %-34s %12" PRIu64 "%s%s\n", label, value,
                *note != '\0' ? "  " : "", note);
  out += line;
}

const char* verdict(bool ok) {
  return ok ? "ok" : "FAILED";
}

}  // namespace

std::string format_text(const verify_report& r, const verify_options& opts) {
  std::string out;
  out += "INPUT (" + opts.input_topic + ")                      ";
  out += verdict(r.input_ok());
  out += '\n';
  row(out, "records", r.input_records);
  row(out, "valid", r.valid_records);
  row(out, "invalid", r.invalid_records);
  row(out, "dead-lettered (distinct records)", r.dead_lettered_records);
  for (const auto& [reason, n] : r.dead_lettered_by_reason)
    row(out, ("  " + reason).c_str(), n);
  row(out, "counted (valid, not dead-lettered)", r.counted_records);
  row(out, "lost (invalid, not dead-lettered)", r.lost_records, r.lost_records > 0 ? "ERROR" : "");
  row(out, "dead letters read", r.dead_letters);
  row(out, "duplicate dead letters", r.duplicate_dead_letters, "(at-least-once)");
  row(out, "dead letters of unknown records", r.unknown_dead_letters);

  if (opts.merchant_totals) {
    out += "\nMERCHANT TOTALS (newest per merchant vs. all valid input)  ";
    out += verdict(r.merchant_totals_ok());
    out += '\n';
    row(out, "totals read", r.merchant_totals_read);
    row(out, "merchants in the input", r.merchants_expected);
    row(out, "matched", r.merchants_matched);
    row(out, "mismatched", r.merchants_mismatched, r.merchants_mismatched ? "ERROR" : "");
    row(out, "missing", r.merchants_missing, r.merchants_missing ? "ERROR" : "");
    row(out, "unexpected", r.merchants_unexpected, r.merchants_unexpected ? "ERROR" : "");
    row(out, "malformed aggregate records", r.malformed_aggregates,
        r.malformed_aggregates ? "ERROR" : "");
  } else {
    out += "\nWINDOWS (" + std::to_string(opts.window_ms) + " ms, lateness "
           + std::to_string(opts.allowed_lateness_ms) + " ms, watermark "
           + (r.watermark_ms == no_event_time ? std::string{"none"}
                                              : std::to_string(r.watermark_ms))
           + ")       " + verdict(r.windows_ok()) + "\n";
    row(out, "expected (recomputed)", r.windows_expected);
    row(out, "emitted (distinct)", r.windows_emitted);
    row(out, "matched", r.windows_matched);
    row(out, "mismatched", r.windows_mismatched, r.windows_mismatched ? "ERROR" : "");
    row(out, "missing", r.windows_missing, r.windows_missing ? "ERROR" : "");
    row(out, "open (past the watermark)", r.windows_open);
    row(out, "unexpected", r.windows_unexpected, r.windows_unexpected ? "ERROR" : "");
    row(out, "counting dead-lettered records", r.windows_counting_dead_letters,
        r.windows_counting_dead_letters ? "ERROR" : "");
    row(out, "duplicate emissions (identical)", r.duplicate_emissions);
    row(out, "conflicting emissions", r.conflicting_emissions,
        r.conflicting_emissions ? "ERROR" : "");
    row(out, "malformed aggregate records", r.malformed_aggregates,
        r.malformed_aggregates ? "ERROR" : "");

    out += "\nRUNNING TOTALS                                 ";
    out += verdict(r.totals_ok());
    out += '\n';
    row(out, "merchant x currency keys", r.totals_checked);
    row(out, "matched", r.totals_matched);
    row(out, "mismatched", r.totals_mismatched, r.totals_mismatched ? "ERROR" : "");
    row(out, "missing", r.totals_missing, r.totals_missing ? "ERROR" : "");
    row(out, "conflicting", r.totals_conflicting, r.totals_conflicting ? "ERROR" : "");

    char line[200];
    std::snprintf(line, sizeof line, "\nFRAUD (min recall %.4f, min precision %.4f)         %s\n",
                  opts.min_recall, opts.min_precision, verdict(r.fraud_ok()));
    out += line;
    row(out, "labelled input records", r.labelled_records);
    row(out, "anomalies", r.anomalies);
    out += fraud_evaluation::format_table(r.fraud);
  }

  if (!r.read_errors.empty()) {
    out += "\nREAD ERRORS\n";
    for (const auto& e : r.read_errors)
      out += "  " + e + "\n";
  }
  if (!r.problems.empty()) {
    out += "\nPROBLEMS (up to " + std::to_string(opts.max_examples) + " per kind)\n";
    for (const auto& [kind, text] : r.problems)
      out += "  [" + kind + "] " + text + "\n";
  }
  if (!r.warnings.empty()) {
    out += "\nWARNINGS\n";
    for (const auto& w : r.warnings)
      out += "  " + w + "\n";
  }
  out += std::string{"\nverify "} + (r.ok() ? "OK" : "FAILED") + "\n";
  return out;
}

std::string format_json(const verify_report& r, const verify_options& opts) {
  nlohmann::ordered_json j;
  j["ok"] = r.ok();
  j["options"] = {{"inputTopic", opts.input_topic},
                  {"merchantTotals", opts.merchant_totals},
                  {"windowMs", opts.window_ms},
                  {"allowedLatenessMs", opts.allowed_lateness_ms},
                  {"requireAllWindows", opts.require_all_windows},
                  {"minRecall", opts.min_recall},
                  {"minPrecision", opts.min_precision}};
  j["input"] = {{"ok", r.input_ok()},
                {"records", r.input_records},
                {"valid", r.valid_records},
                {"invalid", r.invalid_records},
                {"counted", r.counted_records},
                {"lost", r.lost_records},
                {"deadLettered", r.dead_lettered_records},
                {"deadLetteredByReason", r.dead_lettered_by_reason},
                {"deadLetters", r.dead_letters},
                {"duplicateDeadLetters", r.duplicate_dead_letters},
                {"unknownDeadLetters", r.unknown_dead_letters},
                {"reasonDisagreements", r.reason_disagreements},
                {"keyMismatches", r.key_mismatches}};
  j["windows"] = {{"ok", r.windows_ok()},
                  {"watermark", r.watermark_ms == no_event_time
                                  ? nlohmann::ordered_json(nullptr)
                                  : nlohmann::ordered_json(r.watermark_ms)},
                  {"expected", r.windows_expected},
                  {"emitted", r.windows_emitted},
                  {"matched", r.windows_matched},
                  {"mismatched", r.windows_mismatched},
                  {"missing", r.windows_missing},
                  {"open", r.windows_open},
                  {"unexpected", r.windows_unexpected},
                  {"countingDeadLetters", r.windows_counting_dead_letters},
                  {"duplicateEmissions", r.duplicate_emissions},
                  {"conflictingEmissions", r.conflicting_emissions},
                  {"malformed", r.malformed_aggregates}};
  j["totals"] = {{"ok", r.totals_ok()},         {"keys", r.totals_checked},
                 {"matched", r.totals_matched}, {"mismatched", r.totals_mismatched},
                 {"missing", r.totals_missing}, {"conflicting", r.totals_conflicting}};
  auto scenarios = nlohmann::ordered_json::array();
  for (const auto& s : r.fraud)
    scenarios.push_back({{"scenario", s.scenario},
                         {"instances", s.instances},
                         {"detected", s.detected_instances},
                         {"recall", s.recall()},
                         {"anomalies", s.anomalies},
                         {"truePositives", s.true_positives},
                         {"precision", s.precision()},
                         {"incomplete", s.incomplete},
                         {"incompleteDetected", s.incomplete_detected}});
  if (opts.merchant_totals)
    j["merchantTotals"] = {{"ok", r.merchant_totals_ok()},         {"read", r.merchant_totals_read},
                           {"merchants", r.merchants_expected},    {"matched", r.merchants_matched},
                           {"mismatched", r.merchants_mismatched}, {"missing", r.merchants_missing},
                           {"unexpected", r.merchants_unexpected}};
  j["fraud"] = {{"ok", r.fraud_ok()},
                {"labelledRecords", r.labelled_records},
                {"anomalies", r.anomalies},
                {"malformedAnomalies", r.malformed_anomalies},
                {"malformedLabels", r.malformed_labels},
                {"scenarios", scenarios}};
  j["readErrors"] = r.read_errors;
  auto problems = nlohmann::ordered_json::array();
  for (const auto& [kind, text] : r.problems)
    problems.push_back({{"kind", kind}, {"text", text}});
  j["problems"] = problems;
  j["warnings"] = r.warnings;
  return j.dump(2);
}

}  // namespace txstream
