// The report's look: one inline stylesheet, system fonts only (nothing is
// fetched). Green passed, red failed, amber invalid, grey not evaluated,
// the same on the banner, the case chips and every criterion.

#include "controller/report/html_sections.h"

namespace cast::controller::html {

std::string report_style() {
  return R"css(
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--invalid:#b35900;--invalid-bg:#fff1e0;
--na:#57606a;--na-bg:#eef1f4;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;background:#f6f8fa;color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1320px;margin:0 auto;padding:20px 28px 40px}
h1{margin:0;font-size:30px;letter-spacing:.5px}
h2{margin:0 0 12px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:6px}
h3{margin:16px 0 6px;font-size:15px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:16px 0}
nav{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0}
nav a{color:var(--accent);text-decoration:none;background:#fff;border:1px solid var(--line);border-radius:14px;padding:2px 12px}
#verdict{border-width:2px;border-left-width:12px}
.run-passed #verdict{border-color:var(--pass);background:var(--pass-bg)}
.run-failed #verdict{border-color:var(--fail);background:var(--fail-bg)}
.run-invalid #verdict{border-color:var(--invalid);background:var(--invalid-bg)}
.verdict-word{font-size:34px;font-weight:800;text-transform:uppercase;letter-spacing:1px}
.run-passed .verdict-word{color:var(--pass)}.run-failed .verdict-word{color:var(--fail)}
.run-invalid .verdict-word{color:var(--invalid)}
.run-line{color:var(--muted);margin-top:2px}
.why{margin:10px 0 4px;padding-left:20px}.why li{margin:2px 0}
.why-title{font-weight:600;margin-top:10px}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0 4px}
.chip{border-radius:6px;padding:4px 12px;font-weight:600;text-decoration:none;border:1px solid}
.chip.passed{color:var(--pass);background:#fff;border-color:var(--pass)}
.chip.failed{color:#fff;background:var(--fail);border-color:var(--fail)}
.chip.not-evaluated{color:var(--na);background:var(--na-bg);border-color:var(--line)}
.figures{display:flex;flex-wrap:wrap;gap:10px;margin-top:12px}
.figure{background:#fff;border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:120px}
.figure b{display:block;font-size:20px}.figure span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;border-bottom:2px solid var(--line);padding:5px 8px}
td{border-bottom:1px solid #eaeef2;padding:5px 8px;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.case{margin:0 0 14px}.case h3{display:flex;gap:10px;align-items:center}
.badge{font-size:12px;font-weight:700;border-radius:4px;padding:1px 8px;text-transform:uppercase}
.badge.passed,.r-pass{color:var(--pass)}.badge.passed{background:var(--pass-bg)}
.badge.failed,.r-fail{color:var(--fail)}.badge.failed{background:var(--fail-bg)}
.badge.not-evaluated,.r-na{color:var(--na)}.badge.not-evaluated{background:var(--na-bg)}
.r-warn{color:var(--invalid)}
td.result{font-weight:700}
tr.row-fail td{background:#fff6f5}
.note{color:var(--muted)}
.not-measured{color:var(--na);font-style:italic}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:14px}
figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{width:100%;height:auto;background:#fff;font-family:inherit}
.grid{stroke:#eaeef2}.axis{stroke:#8c959f}
.tick{font-size:11px;fill:var(--muted)}.axis-label{font-size:12px;fill:var(--muted)}
.legend-text{font-size:11px;fill:var(--ink)}
.empty-note{font-size:15px;fill:var(--na);font-style:italic}
.bars rect{fill:#4493f8}.bars.bars-failures rect{fill:var(--fail)}.bars.bars-startups rect{fill:#2da44e}
.series{fill:none;stroke-width:2.2;stroke:var(--accent)}
.series.s-host{stroke:#8c959f;stroke-dasharray:4 3}.series.s-memory{stroke:#8250df}
.dot{fill:var(--accent)}.dot.s-host{fill:#8c959f}.dot.s-memory{fill:#8250df}
.marker{stroke-width:1.6;stroke-dasharray:5 4}
.marker.mark-pct{stroke:#0550ae}.marker-label.mark-pct{fill:#0550ae}
.marker.mark-limit{stroke:var(--fail);stroke-dasharray:none;stroke-width:2}
.marker-label,.off-scale{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.marker-label{font-size:11px;font-weight:600}.marker-label.mark-limit{fill:var(--fail)}
.off-scale{font-size:11px;font-weight:600;fill:var(--fail)}
.layer{stroke:#fff;stroke-width:.3}
.s-waiting{fill:#d0d7de}.s-connecting{fill:#54aeff}.s-starting{fill:#d4a72c}.s-in-session{fill:#8250df}
.s-done{fill:#2da44e}.s-failed{fill:var(--fail)}.s-cancelled{fill:#8c959f}
.key.s-host{fill:#8c959f}.key.s-memory{fill:#8250df}.key.s-platform{fill:var(--accent)}
tr.finding-group td{background:#f6f8fa;font-weight:600;border-top:2px solid var(--line)}
td.excerpt{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all;width:46%}
td.where{font-size:12px;word-break:break-all;color:var(--muted);max-width:280px}
td.pair,td.at{white-space:nowrap}
mark{background:#ffd33d;color:#000;padding:0 2px;border-radius:2px;font-weight:700}
tr.more td{color:var(--muted);font-style:italic}
.arrow{color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:20px}
)css";
}

}  // namespace cast::controller::html
