/// The HTML report's fixed parts: the head with its style, and the script that builds each
/// session's table of units from its data blocks (`HTMLUnitRows`).
///
/// The script reads its filters from the address's fragment (`#dir=host&layer=edm&type=…&
/// filter=TEXT&page=N&size=N`) when the page loads, and writes them back as they change, so a
/// filtered view can be sent as a link (and `chromium --dump-dom` shows it).
package enum HTMLReportPage {
    package static func head(title: String) -> String {
        #"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\#(title)</title>
        <style>
        \#(style)
        </style></head>
        <body><header><h1>\#(title)</h1></header>
        <main>

        """#
    }

    package static func tail(application: String) -> String {
        #"""
        </main><footer>Written by \#(application). Self-contained: nothing on this page is fetched.</footer>
        <script>
        \#(script)
        </script>
        </body></html>

        """#
    }

    private static let style = #"""
    body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f4f5f8}
    header,footer{padding:10px 24px;background:#1d2330;color:#fff}
    header h1{font-size:18px;margin:0}
    footer{font-size:12px;background:#e4e6ec;color:#555}
    main{padding:12px 24px}
    section.session{display:flex;flex-direction:column;gap:12px;margin-bottom:32px}
    section.session>h2{order:0;font-size:15px;margin:8px 0 0;font-family:monospace;word-break:break-all}
    .verdict{order:1}.comparison{order:2}.timing{order:3}.diagram{order:4}.units{order:5}.provenance{order:6}
    .data{display:none}
    .panel{background:#fff;border:1px solid #d6d9e0;border-radius:6px;padding:12px 16px}
    .panel h3{margin:0 0 8px;font-size:15px}
    .verdict.good{border-left:8px solid #2e8540}.verdict.bad{border-left:8px solid #c62828}
    .verdict.unknown{border-left:8px solid #e0a100}
    .verdict h3{font-size:20px}.verdict .reason{font-size:16px;margin:4px 0}
    .verdict .advice{margin:4px 0;padding:6px 10px;background:#fff6e0;border-radius:4px}
    dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0 0}
    dt{font-weight:600;color:#555}dd{margin:0}dd.anomaly{grid-column:2;color:#c62828}
    .scroll{overflow-x:auto}
    svg text{font:12px monospace;fill:#1d2330}svg text.axis{fill:#777;font-size:11px}
    svg text.slow{fill:#c62828}
    svg .tick{stroke:#eceef2}svg .base{stroke:#777}svg .threshold{stroke:#c62828;stroke-dasharray:4 3}
    svg .phase{fill:#4a78c2}svg .phase.open{fill:#b7c7e4;stroke:#4a78c2;stroke-dasharray:4 2}
    svg .request{fill:#7b8496}svg .request.slow{fill:#c62828}
    svg .life{stroke:#9aa1ad;stroke-dasharray:5 4}svg rect.actor{fill:#e4e9f4;stroke:#4a78c2}
    svg text.actor{font-weight:bold}svg .arrow{stroke:#1d2330}svg .arrow.reply{stroke-dasharray:6 3}
    svg .head{fill:#1d2330}svg rect.note{fill:#fff8d6;stroke:#d8c36a}svg rect.note.warn{fill:#fde4e4;stroke:#c62828}
    table{border-collapse:collapse;width:100%;font-size:13px}
    th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eceef2;vertical-align:top}
    td.text,td.sum,td.mean{font-family:monospace;word-break:break-all}
    tr.slow td,td.slow{color:#c62828;font-weight:600}
    tr.unit{cursor:pointer}tr.unit:hover{background:#f0f4fb}tr.unit.open{background:#e4ecf8}
    tr.unit.bad td.mean{color:#c62828}tr.unit.redacted td.sum::after{content:" (redacted)";color:#888}
    tr.note td{color:#6b5a00;background:#fffbea;font-size:12px}
    tr.anomaly td{color:#c62828;background:#fdeeee;font-weight:600}
    tr.detail td{background:#f8f9fb}pre.hex{margin:4px 0;font-size:12px;white-space:pre}
    .controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:8px}
    .controls input[type=search]{width:22em}.pager{display:flex;gap:6px;align-items:center;margin-top:8px}
    .count{color:#555}
    .comparison.good{border-left:8px solid #2e8540}.comparison.bad{border-left:8px solid #c62828}
    .comparison .sides{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin:8px 0}
    .comparison .agreement{font-size:16px;font-weight:600;margin:4px 0}tr.hit td{background:#fde4e4;font-weight:600}
    """#

    private static let script = #"""
    (function () {
      "use strict";
      var began = performance.now();
      var params = {};
      location.hash.replace(/^#/, "").split("&").forEach(function (p) {
        if (!p) return;
        var i = p.indexOf("="), k = i < 0 ? p : p.slice(0, i), v = i < 0 ? "" : p.slice(i + 1);
        try { v = decodeURIComponent(v.replace(/\+/g, " ")); } catch (e) {}
        params[k] = v;
      });
      var DIR = { h: "host", m: "module", "?": "unknown" }, ARROW = { h: "->", m: "<-", "?": "??" };
      function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text != null) e.textContent = text;
        return e;
      }
      function sec(us) { return (us / 1e6).toFixed(3); }
      function lat(us) { return us >= 1e7 ? (us / 1e6).toFixed(1) + " s" : Math.round(us / 1000) + " ms"; }
      function hexDump(bytes) {
        var out = [];
        for (var o = 0; o < bytes.length; o += 16) {
          var h = "", a = "";
          for (var j = o; j < Math.min(o + 16, bytes.length); j++) {
            var b = bytes.charCodeAt(j);
            h += (b < 16 ? "0" : "") + b.toString(16).toUpperCase() + " ";
            a += b >= 32 && b < 127 ? bytes.charAt(j) : ".";
          }
          var off = ("0000" + o.toString(16)).slice(-4);
          while (h.length < 48) h += " ";
          out.push(off + "  " + h + " " + a);
        }
        return out.join("\n");
      }
      function option(select, value, text) {
        var o = el("option", null, text);
        o.value = value;
        select.appendChild(o);
      }
      function setup(section) {
        var meanings = [], rows = [], units = 0;
        var blocks = section.querySelectorAll("script.edm-data");
        for (var b = 0; b < blocks.length; b++) {
          var d = JSON.parse(blocks[b].textContent);
          for (var i = 0; i < d.m.length; i++) meanings[d.m[i][0]] = d.m[i];
          for (var j = 0; j < d.r.length; j++) { rows.push(d.r[j]); if (typeof d.r[j][0] === "number") units++; }
        }
        var host = section.querySelector(".units");
        var state = { filter: params.filter || "", dir: params.dir || "", layer: params.layer || "",
                      type: params.type || "", page: Math.max(1, parseInt(params.page, 10) || 1) };
        var size = Math.max(10, parseInt(params.size, 10) || 100);
        var controls = el("div", "controls");
        var text = el("input"); text.type = "search"; text.placeholder = "text filter (summary, meaning)";
        text.className = "filter"; text.value = state.filter;
        var dir = el("select", "dir"), layer = el("select", "layer"), type = el("select", "type");
        option(dir, "", "any direction"); option(dir, "host", "host ->"); option(dir, "module", "<- module");
        option(layer, "", "any layer"); ["edm", "at", "raw"].forEach(function (l) { option(layer, l, l); });
        var types = {};
        meanings.forEach(function (m) { types[m[3]] = true; });
        option(type, "", "any type");
        Object.keys(types).sort().forEach(function (t) { option(type, t, t); });
        dir.value = state.dir; layer.value = state.layer; type.value = state.type;
        var count = el("span", "count");
        [text, dir, layer, type, count].forEach(function (c) { controls.appendChild(c); });
        var table = el("table", "rows"), head = el("thead"), body = el("tbody");
        var hr = el("tr");
        ["#", "time (s)", "", "layer", "type", "summary", "meaning", "latency"].forEach(function (h) {
          hr.appendChild(el("th", null, h));
        });
        head.appendChild(hr); table.appendChild(head); table.appendChild(body);
        var pager = el("div", "pager");
        host.appendChild(controls); host.appendChild(table); host.appendChild(pager);
        function lower(m) { if (m.lc === undefined) m.lc = (m[4] + "\n" + m[5]).toLowerCase(); return m.lc; }
        function matches(r, q) {
          if (typeof r[0] === "string") {
            if (state.dir || state.layer || state.type) return false;
            return !q || r[r.length - 1].toLowerCase().indexOf(q) >= 0;
          }
          var m = meanings[r[2]];
          if (state.dir && DIR[m[1]] !== state.dir) return false;
          if (state.layer && m[2] !== state.layer) return false;
          if (state.type && m[3] !== state.type) return false;
          return !q || lower(m).indexOf(q) >= 0;
        }
        function detail(r, m) {
          var tr = el("tr", "detail"), td = el("td");
          td.colSpan = 8;
          var dl = el("dl");
          m[7].forEach(function (f) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", "text", f[1])); });
          dl.appendChild(el("dt", null, "unit"));
          dl.appendChild(el("dd", null, "#" + r[0] + " at " + sec(r[1]) + " s"));
          if (r.length > 3) {
            dl.appendChild(el("dt", null, "reply to"));
            dl.appendChild(el("dd", null, "unit #" + r[3] + ", " + lat(r[4])));
          }
          td.appendChild(dl);
          td.appendChild(el("pre", "hex", hexDump(m[6])));
          tr.appendChild(td);
          return tr;
        }
        function row(r) {
          if (typeof r[0] === "string") {
            var tr = el("tr", r[0] === "n" ? "note " + r[1] : "anomaly"), td = el("td");
            td.colSpan = 8;
            td.textContent = r[0] === "n" ? r[2] : "!! " + r[3] + " (unit #" + r[2] + ")";
            tr.appendChild(td);
            return tr;
          }
          var m = meanings[r[2]];
          var cls = "unit" + (m[8] & 1 ? " bad" : "") + (m[8] & 2 ? " redacted" : "");
          var u = el("tr", cls);
          u.dataset.index = r[0];
          [String(r[0]), sec(r[1]), ARROW[m[1]], m[2], m[3], m[4], m[5]].forEach(function (v, i) {
            u.appendChild(el("td", i === 5 ? "sum" : i === 6 ? "mean" : null, v));
          });
          var l = el("td", r.length > 3 && r[4] >= 1e6 ? "slow" : null, r.length > 3 ? lat(r[4]) : "");
          u.appendChild(l);
          u.addEventListener("click", function () {
            var next = u.nextSibling;
            if (next && next.className === "detail") { body.removeChild(next); u.classList.remove("open"); return; }
            body.insertBefore(detail(r, m), next);
            u.classList.add("open");
          });
          return u;
        }
        function render(writeHash) {
          var q = state.filter.toLowerCase();
          var shown = rows.filter(function (r) { return matches(r, q); });
          var pages = Math.max(1, Math.ceil(shown.length / size));
          if (state.page > pages) state.page = pages;
          var start = (state.page - 1) * size, slice = shown.slice(start, start + size);
          var frag = document.createDocumentFragment();
          slice.forEach(function (r) { frag.appendChild(row(r)); });
          body.textContent = "";
          body.appendChild(frag);
          body.dataset.shown = shown.length;
          count.textContent = shown.length + " of " + rows.length + " rows (" + units + " units)" +
            (shown.length ? ", showing " + (start + 1) + "-" + (start + slice.length) : "");
          pager.textContent = "";
          function go(label, page) {
            var btn = el("button", null, label);
            btn.disabled = page < 1 || page > pages || page === state.page;
            btn.addEventListener("click", function () { state.page = page; render(true); });
            pager.appendChild(btn);
          }
          go("first", 1); go("previous", state.page - 1);
          pager.appendChild(el("span", "page", "page " + state.page + " of " + pages));
          go("next", state.page + 1); go("last", pages);
          if (writeHash && history.replaceState) {
            var parts = [];
            ["dir", "layer", "type", "filter"].forEach(function (k) {
              if (state[k]) parts.push(k + "=" + encodeURIComponent(state[k]));
            });
            if (state.page > 1) parts.push("page=" + state.page);
            if (size !== 100) parts.push("size=" + size);
            history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
          }
        }
        var timer = null;
        text.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(function () { state.filter = text.value; state.page = 1; render(true); }, 150);
        });
        [[dir, "dir"], [layer, "layer"], [type, "type"]].forEach(function (p) {
          p[0].addEventListener("change", function () { state[p[1]] = p[0].value; state.page = 1; render(true); });
        });
        render(false);
      }
      var sections = document.querySelectorAll("section.session");
      for (var s = 0; s < sections.length; s++) setup(sections[s]);
      // How long the tables took to build, and the page to get here (docs/report.md measures with it).
      document.body.dataset.tablesMs = Math.round(performance.now() - began);
      document.body.dataset.readyMs = Math.round(performance.now());
    })();
    """#
}
