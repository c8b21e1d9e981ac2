#include "reference/store/context_hash.h"

#include <stdexcept>

namespace cast::reference {

HashFields context_to_hash(const nlohmann::json& context) {
  if (!context.is_object()) {
    throw std::invalid_argument("context must be a JSON object, got " + std::string(context.type_name()));
  }
  HashFields fields;
  fields.reserve(context.size());
  for (const auto& [name, value] : context.items()) {
    fields.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return fields;
}

nlohmann::json hash_to_context(const HashFields& fields) {
  auto context = nlohmann::json::object();
  for (const auto& [name, text] : fields) {
    // A string stored as-is may itself look like JSON text ("\"x\""); only
    // non-string JSON is decoded, so such strings keep their exact bytes.
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    const bool decoded = !parsed.is_discarded() && !parsed.is_string();
    context[name] = decoded ? std::move(parsed) : nlohmann::json(text);
  }
  return context;
}

}  // namespace cast::reference
