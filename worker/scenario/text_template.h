#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cast::worker {

enum class TemplateField {
  user_id,
  tenant_id,
  email,
  display_name,
  canary,
  run_id,
  user_index,
  request_id,
  agent_id,
  content,
};

// The values one fill may quote; views into strings the caller keeps alive.
struct TemplateFields {
  std::string_view user_id;
  std::string_view tenant_id;
  std::string_view email;
  std::string_view display_name;
  std::string_view canary;
  std::string_view run_id;
  std::string_view user_index;
  std::string_view request_id;
  std::string_view agent_id;
  std::string_view content;

  std::string_view get(TemplateField field) const;
};

// How a value is written where its placeholder stood.
enum class TemplateEscape {
  none,         // as is
  json_string,  // inside a JSON string literal
  url,          // percent-encoded, for paths and queries
};

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::optional<TemplateField> template_field(std::string_view name);

// Text with `{{field}}` placeholders, split once so that filling it for
// each user is a few appends.
class TextTemplate {
 public:
  TextTemplate() = default;
  // Throws TemplateError naming an unknown or unterminated placeholder.
  static TextTemplate compile(std::string_view text, TemplateEscape escape);

  std::string fill(const TemplateFields& fields) const;
  bool empty() const { return pieces_.empty(); }
  bool uses(TemplateField field) const;

 private:
  struct Piece {
    std::string literal;
    std::optional<TemplateField> field;  // written after the literal
  };
  std::vector<Piece> pieces_;
  TemplateEscape escape_{TemplateEscape::none};
};

// Every placeholder name in `text`, in order, valid or not; throws
// TemplateError on an unterminated one.
std::vector<std::string> placeholder_names(std::string_view text);

}  // namespace cast::worker
