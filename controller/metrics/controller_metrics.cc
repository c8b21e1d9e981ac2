#include "controller/metrics/controller_metrics.h"

#include <map>
#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/stats/log_histogram.h"
#include "controller/metrics/latency_export.h"

namespace cast::controller {
namespace {

constexpr auto kPublishEvery = std::chrono::seconds{1};

// "9464" -> "127.0.0.1:9464": nothing of ours listens beyond loopback unless told.
std::string bind_address(const std::string& listen) {
  return listen.find(':') == std::string::npos ? "127.0.0.1:" + listen : listen;
}

std::string host_of(const std::string& address) { return address.substr(0, address.rfind(':')); }

// A labelled child of a family, looked up once per label value: the loop
// calls these for every event batch.
template <typename Metric>
class LabelledMetric {
 public:
  LabelledMetric(prometheus::Family<Metric>& family, std::string label) : family_(family), label_(std::move(label)) {}
  Metric& operator[](const std::string& value) {
    auto found = children_.find(value);
    if (found == children_.end()) {
      found = children_.emplace(value, &family_.Add({{label_, value}})).first;
    }
    return *found->second;
  }

 private:
  prometheus::Family<Metric>& family_;
  std::string label_;
  std::map<std::string, Metric*> children_;
};

}  // namespace

struct ControllerMetrics::State {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::shared_ptr<LatencyHistogramExport> latency = std::make_shared<LatencyHistogramExport>(
      "cast_startup_latency_seconds", "Agent startup latency: start_agent to agent_started, seconds");
  LabelledMetric<prometheus::Gauge> users{
      prometheus::BuildGauge().Name("cast_users").Help("Users by phase").Register(*registry), "phase"};
  prometheus::Counter& startups = prometheus::BuildCounter()
                                      .Name("cast_agent_startups_total")
                                      .Help("Agents started (agent_started received)")
                                      .Register(*registry)
                                      .Add({});
  LabelledMetric<prometheus::Counter> errors{
      prometheus::BuildCounter().Name("cast_errors_total").Help("User errors by kind").Register(*registry), "kind"};
  LabelledMetric<prometheus::Gauge> event_lag{prometheus::BuildGauge()
                                                  .Name("cast_worker_event_lag_seconds")
                                                  .Help("Age of the newest event from each worker on arrival, seconds")
                                                  .Register(*registry),
                                              "worker"};
  LabelledMetric<prometheus::Counter> events{
      prometheus::BuildCounter().Name("cast_events_total").Help("Events received per worker").Register(*registry),
      "worker"};
  LogHistogram pending;  // loop-owned; copied into `latency` when published
  bool dirty{false};
  std::chrono::steady_clock::time_point published_at{};
  std::string address;  // empty when not serving
  std::unique_ptr<prometheus::Exposer> exposer;
};

ControllerMetrics::ControllerMetrics(const std::string& listen) : state_(std::make_unique<State>()) {
  if (listen.empty()) {
    return;
  }
  std::string address = bind_address(listen);
  try {
    state_->exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& error) {
    throw MetricsListenError("cannot serve the controller's /metrics on " + address +
                             " (metrics_listen): " + error.what());
  }
  state_->exposer->RegisterCollectable(state_->registry);
  state_->exposer->RegisterCollectable(state_->latency);
  state_->address = address;
}

ControllerMetrics::~ControllerMetrics() = default;

bool ControllerMetrics::serving() const { return state_->exposer != nullptr; }

std::uint16_t ControllerMetrics::port() const {
  if (!state_->exposer) {
    return 0;
  }
  auto ports = state_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

std::string ControllerMetrics::url() const {
  if (!serving()) {
    return {};
  }
  return "http://" + host_of(state_->address) + ":" + std::to_string(port()) + "/metrics";
}

void ControllerMetrics::set_users(const std::string& phase, std::uint64_t count) {
  state_->users[phase].Set(static_cast<double>(count));
  publish_if_due();
}

void ControllerMetrics::count_startup(std::chrono::microseconds latency) {
  state_->startups.Increment();
  state_->pending.add(latency);
  state_->dirty = true;
  publish_if_due();
}

void ControllerMetrics::count_error(const std::string& kind, std::uint64_t times) {
  state_->errors[kind].Increment(static_cast<double>(times));
  publish_if_due();
}

void ControllerMetrics::set_worker_event_lag(const std::string& worker_id, std::chrono::microseconds lag) {
  state_->event_lag[worker_id].Set(static_cast<double>(lag.count()) / 1e6);
  publish_if_due();
}

void ControllerMetrics::count_events(const std::string& worker_id, std::uint64_t events) {
  state_->events[worker_id].Increment(static_cast<double>(events));
  publish_if_due();
}

void ControllerMetrics::publish() {
  if (state_->dirty) {
    state_->latency->replace(state_->pending);
    state_->dirty = false;
  }
  state_->published_at = std::chrono::steady_clock::now();
}

void ControllerMetrics::publish_if_due() {
  if (state_->dirty && std::chrono::steady_clock::now() - state_->published_at >= kPublishEvery) {
    publish();
  }
}

std::string ControllerMetrics::render() {
  publish();
  auto families = state_->registry->Collect();
  for (auto& family : state_->latency->Collect()) {
    families.push_back(std::move(family));
  }
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, families);
  return out.str();
}

}  // namespace cast::controller
