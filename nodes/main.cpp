// The txstream executable: everything is wired in nodes/application.
#include "nodes/application.hpp"

int main(int argc, char** argv) {
  return txstream::application{}.run(argc, argv);
}
