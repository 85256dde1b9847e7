// The txstream executable: everything is wired in nodes/application.
#include "nodes/allocator_tuning.hpp"
#include "nodes/application.hpp"

int main(int argc, char** argv) {
  auto allocator = txstream::tune_allocator();
  return txstream::application{std::move(allocator)}.run(argc, argv);
}
