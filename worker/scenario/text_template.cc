#include "worker/scenario/text_template.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/net/url.h"

namespace cast::worker {
namespace {

constexpr std::array<std::pair<std::string_view, TemplateField>, 10> kFields{{
    {"user_id", TemplateField::user_id},
    {"tenant_id", TemplateField::tenant_id},
    {"email", TemplateField::email},
    {"display_name", TemplateField::display_name},
    {"canary", TemplateField::canary},
    {"run_id", TemplateField::run_id},
    {"user_index", TemplateField::user_index},
    {"request_id", TemplateField::request_id},
    {"agent_id", TemplateField::agent_id},
    {"content", TemplateField::content},
}};

// Printable ASCII other than a quote or backslash is what the JSON
// serializer copies through unchanged: user ids, request ids, agents and
// canaries are, so most fields of every frame need no serializer.
bool json_plain(std::string_view value) {
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
}

void append_escaped(std::string& out, std::string_view value, TemplateEscape escape) {
  switch (escape) {
    case TemplateEscape::none: out.append(value); return;
    case TemplateEscape::url: out.append(url_encode(std::string(value))); return;
    case TemplateEscape::json_string: {
      if (json_plain(value)) {
        out.append(value);
        return;
      }
      auto quoted = nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out.append(quoted, 1, quoted.size() - 2);
      return;
    }
  }
}

// Calls `on_text` for literal runs and `on_name` for each placeholder.
template <class OnText, class OnName>
void scan(std::string_view text, OnText on_text, OnName on_name) {
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find("{{", at);
    if (open == std::string_view::npos) {
      on_text(text.substr(at));
      return;
    }
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      throw TemplateError("unterminated placeholder at \"" + std::string(text.substr(open, 20)) + "\"");
    }
    on_text(text.substr(at, open - at));
    on_name(text.substr(open + 2, close - open - 2));
    at = close + 2;
  }
}

}  // namespace

std::string_view TemplateFields::get(TemplateField field) const {
  switch (field) {
    case TemplateField::user_id: return user_id;
    case TemplateField::tenant_id: return tenant_id;
    case TemplateField::email: return email;
    case TemplateField::display_name: return display_name;
    case TemplateField::canary: return canary;
    case TemplateField::run_id: return run_id;
    case TemplateField::user_index: return user_index;
    case TemplateField::request_id: return request_id;
    case TemplateField::agent_id: return agent_id;
    case TemplateField::content: return content;
  }
  return {};
}

std::optional<TemplateField> template_field(std::string_view name) {
  for (const auto& [known, field] : kFields) {
    if (known == name) {
      return field;
    }
  }
  return std::nullopt;
}

std::vector<std::string> placeholder_names(std::string_view text) {
  std::vector<std::string> names;
  scan(
      text, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
  return names;
}

TextTemplate TextTemplate::compile(std::string_view text, TemplateEscape escape) {
  TextTemplate compiled;
  compiled.escape_ = escape;
  std::string literal;
  scan(
      text, [&](std::string_view run) { literal.append(run); },
      [&](std::string_view name) {
        auto field = template_field(name);
        if (!field) {
          throw TemplateError("unknown placeholder {{" + std::string(name) + "}}");
        }
        compiled.pieces_.push_back({std::exchange(literal, {}), field});
      });
  if (!literal.empty()) {
    compiled.pieces_.push_back({std::move(literal), std::nullopt});
  }
  return compiled;
}

std::string TextTemplate::fill(const TemplateFields& fields) const {
  std::string out;
  for (const auto& piece : pieces_) {
    out.append(piece.literal);
    if (piece.field) {
      append_escaped(out, fields.get(*piece.field), escape_);
    }
  }
  return out;
}

bool TextTemplate::uses(TemplateField field) const {
  for (const auto& piece : pieces_) {
    if (piece.field == field) {
      return true;
    }
  }
  return false;
}

}  // namespace cast::worker
