#pragma once

// Text that goes into the HTML report. Everything a run observed (user ids,
// payload excerpts, error messages) is hostile until escaped here.

#include <string>
#include <string_view>

namespace cast::controller {

// Safe as element content and as a quoted attribute value: & < > " ' become
// entities, control characters other than tab and newline become spaces.
std::string html_escape(std::string_view text);

// A finding's excerpt, escaped, with the foreign value between its >>> <<<
// markers wrapped in <mark>. An excerpt longer than `width` bytes is cut
// around the mark so that the evidence stays in view.
std::string excerpt_html(std::string_view excerpt, std::size_t width = 240);

// A figure with `digits` decimals ("12.5"); NaN and infinities as "-".
std::string html_figure(double value, int digits = 1);

}  // namespace cast::controller
