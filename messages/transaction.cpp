#include "messages/transaction.hpp"

namespace txstream {

const char* to_string(transaction_type x) {
  switch (x) {
    case transaction_type::purchase: return "purchase";
    case transaction_type::refund: return "refund";
  }
  return "?";
}

const char* to_string(payment_method x) {
  switch (x) {
    case payment_method::credit_card: return "credit_card";
    case payment_method::debit_card: return "debit_card";
    case payment_method::paypal: return "paypal";
    case payment_method::bank_transfer: return "bank_transfer";
  }
  return "?";
}

}  // namespace txstream
