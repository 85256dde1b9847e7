// An identifier in 24 bytes, for state kept per user: the fraud detector
// holds a transaction id or two for each of millions of users, and at 56
// bytes (compact_string) those ids were a third of its per-user memory.
//
// A UUID in canonical text form (8-4-4-4-12 hex digits, all lower or all
// upper case), what producers of the reference schema write, is kept as its
// 16 bytes; other ids up to 22 bytes inline; longer ones on the heap. str()
// gives back exactly the text that was stored.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace txstream {

class packed_id {
public:
  static constexpr std::size_t inline_capacity = 22;

  packed_id() noexcept = default;

  explicit packed_id(std::string_view s) {
    assign(s);
  }

  packed_id(const packed_id& other) {
    copy_from(other);
  }

  packed_id& operator=(const packed_id& other) {
    if (this != &other) {
      release();
      copy_from(other);
    }
    return *this;
  }

  packed_id(packed_id&& other) noexcept {
    take(other);
  }

  packed_id& operator=(packed_id&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }

  ~packed_id() {
    release();
  }

  void assign(std::string_view s) {
    release();
    if (pack_uuid(s))
      return;
    if (s.size() <= inline_capacity) {
      kind_ = kind::text;
      len_ = static_cast<std::uint8_t>(s.size());
      std::memcpy(bytes_, s.data(), s.size());
      return;
    }
    auto* heap = new std::string(s);
    std::memcpy(bytes_, &heap, sizeof heap);
    kind_ = kind::heap;
  }

  std::string str() const {
    switch (kind_) {
      case kind::uuid_lower:
      case kind::uuid_upper: return unpack_uuid();
      case kind::heap: return *heap();
      case kind::text: break;
    }
    return std::string(reinterpret_cast<const char*>(bytes_), len_);
  }

  /// True when this holds exactly the text `s`; allocates nothing (the
  /// detector compares a user's id with every lookup's).
  bool equals(std::string_view s) const noexcept {
    switch (kind_) {
      case kind::text: return s.size() == len_ && std::memcmp(bytes_, s.data(), len_) == 0;
      case kind::heap: return *heap() == s;
      case kind::uuid_lower:
      case kind::uuid_upper: break;
    }
    packed_id other;
    return other.pack_uuid(s) && other.kind_ == kind_ && std::memcmp(other.bytes_, bytes_, 16) == 0;
  }

  /// The stored text as a view: of this object's own bytes, or for a packed
  /// UUID of its text written into `scratch`, which must outlive the view.
  std::string_view view(char (&scratch)[36]) const noexcept {
    switch (kind_) {
      case kind::text: return {reinterpret_cast<const char*>(bytes_), len_};
      case kind::heap: return *heap();
      case kind::uuid_lower:
      case kind::uuid_upper: break;
    }
    write_uuid(scratch);
    return {scratch, uuid_length};
  }

  bool empty() const noexcept {
    return kind_ == kind::text && len_ == 0;
  }

  friend bool operator==(const packed_id& a, const packed_id& b) {
    return a.str() == b.str();
  }

  friend bool operator!=(const packed_id& a, const packed_id& b) {
    return !(a == b);
  }

private:
  enum class kind : std::uint8_t { text, uuid_lower, uuid_upper, heap };

  static constexpr std::size_t uuid_length = 36;

  // Per byte: its hex value in the low nibble, and whether it is a lower
  // (0x10) or upper (0x20) case letter digit; 0xFF for a non-hex byte.
  struct hex_table {
    unsigned char entry[256];
    constexpr hex_table() : entry{} {
      for (int i = 0; i < 256; ++i)
        entry[i] = 0xFF;
      for (int d = 0; d < 10; ++d)
        entry['0' + d] = static_cast<unsigned char>(d);
      for (int d = 0; d < 6; ++d) {
        entry['a' + d] = static_cast<unsigned char>(0x10 | (10 + d));
        entry['A' + d] = static_cast<unsigned char>(0x20 | (10 + d));
      }
    }
  };

  // Packs a canonical UUID (one case throughout); false for anything else.
  // Runs once per transaction in the detector, hence table-driven.
  bool pack_uuid(std::string_view s) noexcept {
    static constexpr hex_table table{};
    static constexpr unsigned char first_digit[16] = {0,  2,  4,  6,  9,  11, 14, 16,
                                                      19, 21, 24, 26, 28, 30, 32, 34};
    if (s.size() != uuid_length || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
      return false;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    unsigned char out[16];
    unsigned seen = 0;  // OR of all entries: 0x80 when any is invalid
    for (int b = 0; b < 16; ++b) {
      auto hi = table.entry[p[first_digit[b]]];
      auto lo = table.entry[p[first_digit[b] + 1]];
      seen |= hi | lo;
      out[b] = static_cast<unsigned char>(((hi & 0xF) << 4) | (lo & 0xF));
    }
    if ((seen & 0x80) != 0 || (seen & 0x30) == 0x30)
      return false;  // a non-hex byte, or both cases
    std::memcpy(bytes_, out, sizeof out);
    kind_ = (seen & 0x20) != 0 ? kind::uuid_upper : kind::uuid_lower;
    return true;
  }

  // The canonical text of the packed UUID, 36 characters.
  void write_uuid(char (&out)[36]) const noexcept {
    const char* digits = kind_ == kind::uuid_upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::size_t at = 0;
    for (std::size_t b = 0; b < 16; ++b) {
      if (b == 4 || b == 6 || b == 8 || b == 10)
        out[at++] = '-';
      out[at++] = digits[bytes_[b] >> 4];
      out[at++] = digits[bytes_[b] & 0xF];
    }
  }

  std::string unpack_uuid() const {
    char text[uuid_length];
    write_uuid(text);
    return std::string(text, uuid_length);
  }

  std::string* heap() const noexcept {
    std::string* p = nullptr;
    std::memcpy(&p, bytes_, sizeof p);
    return p;
  }

  void copy_from(const packed_id& other) {
    if (other.kind_ == kind::heap) {
      auto* heap = new std::string(*other.heap());
      std::memcpy(bytes_, &heap, sizeof heap);
      kind_ = kind::heap;
    } else {
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
      len_ = other.len_;
      kind_ = other.kind_;
    }
  }

  // Moves other's value here (a heap string changes owner) and empties it.
  void take(packed_id& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    len_ = other.len_;
    kind_ = other.kind_;
    other.kind_ = kind::text;
    other.len_ = 0;
  }

  void release() noexcept {
    if (kind_ == kind::heap)
      delete heap();
    kind_ = kind::text;
    len_ = 0;
  }

  unsigned char bytes_[inline_capacity] = {};
  std::uint8_t len_ = 0;
  kind kind_ = kind::text;
};

static_assert(sizeof(packed_id) == 24, "packed_id is meant to take 24 bytes");

}  // namespace txstream
