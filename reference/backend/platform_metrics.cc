#include "reference/backend/platform_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace cast::reference {
namespace {

struct ProcessFigures {
  double resident_bytes{0};
  double cpu_seconds{0};
};

// /proc/self/statm field 2 is resident pages; /proc/self/stat fields 14 and
// 15 are user and system time in clock ticks (after the parenthesised name).
ProcessFigures read_process_figures() {
  ProcessFigures figures;
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0;
  double resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    figures.resident_bytes = resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  auto after_name = stat.rfind(')');
  if (after_name == std::string::npos) {
    return figures;
  }
  std::istringstream fields(stat.substr(after_name + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) {
      utime = std::stod(field);
    } else if (index == 15) {
      stime = std::stod(field);
    }
  }
  figures.cpu_seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return figures;
}

template <typename Builder>
auto& single(Builder builder, prometheus::Registry& registry, const char* name, const char* help) {
  return builder.Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

PlatformMetrics::PlatformMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      active_connections_(
          single(prometheus::BuildGauge(), *registry_, "agent_active_connections", "Open WebSocket sessions")),
      startups_(single(prometheus::BuildCounter(), *registry_, "agent_startups_total", "Agents started")),
      messages_(single(prometheus::BuildCounter(), *registry_, "agent_messages_total", "user_message frames answered")),
      errors_(prometheus::BuildCounter()
                  .Name("agent_errors_total")
                  .Help("error frames sent, by code")
                  .Register(*registry_)),
      resident_bytes_(single(prometheus::BuildGauge(), *registry_, "process_resident_memory_bytes",
                             "Resident memory of the backend process")),
      cpu_seconds_(single(prometheus::BuildCounter(), *registry_, "process_cpu_seconds_total",
                          "User and system CPU time of the backend process")) {}

PlatformMetrics::~PlatformMetrics() = default;

void PlatformMetrics::connection_opened() { active_connections_.Increment(); }
void PlatformMetrics::connection_closed() { active_connections_.Decrement(); }
void PlatformMetrics::agent_started() { startups_.Increment(); }
void PlatformMetrics::message_answered() { messages_.Increment(); }
void PlatformMetrics::error_sent(const std::string& code) { errors_.Add({{"code", code}}).Increment(); }

std::string PlatformMetrics::scrape() {
  std::lock_guard lock(scrape_mutex_);
  auto figures = read_process_figures();
  resident_bytes_.Set(figures.resident_bytes);
  // A counter only moves forward: add what was spent since the last scrape.
  if (figures.cpu_seconds > cpu_seconds_.Value()) {
    cpu_seconds_.Increment(figures.cpu_seconds - cpu_seconds_.Value());
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace cast::reference
