#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace bankrec::app {

struct GlobalOptions {
  std::string data_dir = "/var/lib/bankrec";
  std::string config = "/etc/bankrec/bankrec.yaml";
};

struct ParseCommand {
  bool selected = false;
  std::string format;
  std::string profile;
  std::string encoding;
  bool lenient = false;
  bool pretty = false;
  std::vector<std::string> files;
};

void add_parse_command(CLI::App& cli, ParseCommand& cmd);
int run_parse(const GlobalOptions& global, const ParseCommand& cmd);

}  // namespace bankrec::app
