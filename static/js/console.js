/*
 * iamconsole — console.js
 * Small progressive enhancements wired by data-attributes (no inline JS, CSP friendly).
 * The contract is documented in templates/console/styleguide.html.
 *
 *   [data-flash-dismiss]                 removes its .cs-flash
 *   [data-nav-toggle]                    opens/closes the side navigation on small screens
 *   row selection inputs                 input[data-row-select], or any checkbox/radio in a
 *                                        tbody td.cs-table__select
 *   "select all"                         input[data-select-all], or the checkbox in th.cs-table__select
 *   [data-selection-for="ID"]            button enabled only while rows are selected inside #ID
 *     (alias: data-requires-selection)   data-selection-min="1" (default 1), data-selection-max="1" (optional)
 *   input[data-table-filter="TABLE-ID"]  filters the rows of table#TABLE-ID client-side
 *       tr[data-filter-empty]            row shown when nothing matches
 *       [data-filter-count-for="TABLE-ID"]  shows "N matches"
 *       [data-filter-clear="TABLE-ID"]   button that clears the filter
 *   [data-secret] [data-secret-toggle]   Show/Hide of [data-secret-mask] / [data-secret-value]
 *   [data-copy-text="..."] or [data-copy-target="#id"]   copies to the clipboard
 *   input[data-confirm-text="kim"][data-confirm-target="btn-id other-id"]
 *                                        enables the target buttons when the text matches; without
 *                                        data-confirm-target on the input, the targets are the
 *                                        [data-confirm-target] buttons of the input's form
 *   [data-show-when="name=value"]        shown only while the form control `name` has `value`
 *                                        (radio: checked value; checkbox: "on"/its value when checked;
 *                                        select/input: value). Several values: name=a|b
 *   [data-code-editor]                   line numbers, error line (textarea[data-error-line]),
 *                                        cursor position in [data-code-cursor]
 *
 * Texts the script writes come from the page, in its language (base.html's <body>
 * data-i18n-* attributes; an element's own data-label-* / data-copy-* attributes win):
 * {count}, {line} and {column} are filled in here. This file holds no English of its own.
 */
var csText = function (key, values) {
  "use strict";
  var text = (document.body && document.body.getAttribute("data-i18n-" + key)) || "";
  Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
  return text;
};
(function () {
  "use strict";

  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  /* ---------- Flashbar ---------- */
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-flash-dismiss]");
    if (!btn) return;
    var flash = btn.closest(".cs-flash");
    var bar = flash && flash.parentElement;
    if (flash) flash.remove();
    if (bar && bar.classList.contains("cs-flashbar") && !bar.querySelector(".cs-flash")) bar.remove();
  });

  /* ---------- Side navigation (small screens) ---------- */
  function setNav(open) {
    document.body.classList.toggle("cs-nav-open", open);
    $$(".cs-topbar__nav-toggle").forEach(function (b) { b.setAttribute("aria-expanded", open ? "true" : "false"); });
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-nav-toggle]")) setNav(!document.body.classList.contains("cs-nav-open"));
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && document.body.classList.contains("cs-nav-open")) setNav(false);
  });
  $$(".cs-sidenav__link.active").forEach(function (a) { a.setAttribute("aria-current", "page"); });

  /* ---------- Table selection ---------- */
  var ROW_SELECT = "input[data-row-select], tbody td.cs-table__select input";
  var SELECT_ALL = "input[data-select-all], thead th.cs-table__select input[type=checkbox]";
  var SELECTION_BUTTONS = "[data-selection-for], [data-requires-selection]";
  function updateSelection() {
    $$(ROW_SELECT).forEach(function (input) {
      var row = input.closest("tr");
      if (row) row.classList.toggle("is-selected", input.checked);
    });
    $$(SELECT_ALL).forEach(function (all) {
      var table = all.closest("table");
      var boxes = $$(ROW_SELECT, table).filter(function (b) { return !b.closest("tr").hidden; });
      var checked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    });
    $$(SELECTION_BUTTONS).forEach(function (btn) {
      var scope = document.getElementById(btn.getAttribute("data-selection-for") || btn.getAttribute("data-requires-selection"));
      var n = scope ? $$(ROW_SELECT, scope).filter(function (b) { return b.checked; }).length : 0;
      var min = parseInt(btn.getAttribute("data-selection-min") || "1", 10);
      var max = btn.hasAttribute("data-selection-max") ? parseInt(btn.getAttribute("data-selection-max"), 10) : Infinity;
      setDisabled(btn, !(n >= min && n <= max));
    });
  }
  function setDisabled(el, disabled) {
    if (el.tagName === "A") {
      el.classList.toggle("disabled", disabled);
      if (disabled) el.setAttribute("aria-disabled", "true"); else el.removeAttribute("aria-disabled");
    } else {
      el.disabled = disabled;
    }
  }
  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.matches(SELECT_ALL)) {
      $$(ROW_SELECT, t.closest("table")).forEach(function (b) {
        if (!b.closest("tr").hidden) b.checked = t.checked;
      });
      updateSelection();
    } else if (t.matches(ROW_SELECT)) {
      updateSelection();
    }
  });
  // Clicking anywhere on a selectable row toggles its selection (not on links, buttons or inputs).
  document.addEventListener("click", function (e) {
    var row = e.target.closest("tr");
    if (!row || e.target.closest("a, button, input, label, select, textarea")) return;
    if (!row.closest("tbody")) return;
    var input = row.querySelector(ROW_SELECT);
    if (!input || input.disabled) return;
    input.checked = input.type === "radio" ? true : !input.checked;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  /* ---------- Table filter ---------- */
  function applyFilter(input) {
    var id = input.getAttribute("data-table-filter");
    var table = document.getElementById(id);
    if (!table) return;
    var q = input.value.trim().toLowerCase();
    var shown = 0, total = 0;
    $$("tbody tr", table).forEach(function (row) {
      if (row.hasAttribute("data-filter-empty") || row.classList.contains("cs-table__empty")) return;
      total++;
      var text = (row.getAttribute("data-filter-text") || row.textContent).toLowerCase();
      var match = !q || text.indexOf(q) !== -1;
      row.hidden = !match;
      if (match) shown++;
    });
    $$("tr[data-filter-empty]", table).forEach(function (row) { row.hidden = !(q && total > 0 && shown === 0); });
    $$('[data-filter-count-for="' + id + '"]').forEach(function (el) {
      el.textContent = q ? csText(shown === 1 ? "match" : "matches", { count: shown }) : "";
    });
    updateSelection();
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("input[data-table-filter]")) applyFilter(e.target);
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-filter-clear]");
    if (!btn) return;
    $$('input[data-table-filter="' + btn.getAttribute("data-filter-clear") + '"]').forEach(function (input) {
      input.value = "";
      applyFilter(input);
      input.focus();
    });
  });

  /* ---------- Secret reveal ---------- */
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-secret-toggle]");
    if (!btn) return;
    var root = btn.closest("[data-secret]");
    if (!root) return;
    var mask = root.querySelector("[data-secret-mask]");
    var value = root.querySelector("[data-secret-value]");
    var show = value && value.hidden;
    if (value) value.hidden = !show;
    if (mask) mask.hidden = !!show;
    btn.textContent = show
      ? (btn.getAttribute("data-label-hide") || btn.getAttribute("data-hide-label") || csText("hide"))
      : (btn.getAttribute("data-label-show") || btn.getAttribute("data-show-label") || csText("show"));
    btn.setAttribute("aria-pressed", show ? "true" : "false");
  });

  /* ---------- Copy to clipboard ---------- */
  var live;
  function announce(text) {
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = text;
  }
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.className = "visually-hidden";
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    ta.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-copy-text], [data-copy-target]");
    if (!btn) return;
    var text = btn.getAttribute("data-copy-text");
    if (text === null) {
      var src = document.querySelector(btn.getAttribute("data-copy-target"));
      text = src ? ("value" in src && src.tagName !== "BUTTON" ? src.value : src.textContent).trim() : "";
    }
    var p = navigator.clipboard && window.isSecureContext ? navigator.clipboard.writeText(text) : fallbackCopy(text);
    p.catch(function () { return fallbackCopy(text); }).then(function () {
      done(btn, btn.getAttribute("data-copy-success") || csText("copied"));
    }, function () {
      done(btn, btn.getAttribute("data-copy-error") || csText("copy-failed"));
    });
  });
  function done(btn, message) {
    btn.setAttribute("data-copy-message", message);
    btn.setAttribute("data-copy-state", "shown");
    announce(message);
    clearTimeout(btn._csCopyTimer);
    btn._csCopyTimer = setTimeout(function () { btn.removeAttribute("data-copy-state"); }, 2000);
  }

  /* ---------- Confirm by typing ---------- */
  function confirmTargets(input) {
    var ids = (input.getAttribute("data-confirm-target") || "").trim();
    if (ids) return ids.split(/\s+/).map(function (id) { return document.getElementById(id); }).filter(Boolean);
    var form = input.closest("form, [data-confirm-form]");
    return form ? $$("[data-confirm-target]", form).filter(function (el) { return el !== input; }) : [];
  }
  function updateConfirm(input) {
    var ok = input.value.trim() === input.getAttribute("data-confirm-text");
    confirmTargets(input).forEach(function (el) { setDisabled(el, !ok); });
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches("input[data-confirm-text]")) updateConfirm(e.target);
  });
  document.addEventListener("hidden.bs.modal", function (e) {
    $$("input[data-confirm-text]", e.target).forEach(function (input) { input.value = ""; updateConfirm(input); });
  });

  /* ---------- Conditional sections ---------- */
  function controlValues(scope, name) {
    var values = [];
    $$("[name]", scope).forEach(function (c) {
      if (c.name !== name || c.disabled) return;
      if (c.type === "checkbox" || c.type === "radio") {
        if (c.checked) values.push(c.value || "on");
      } else if (c.tagName === "SELECT" && c.multiple) {
        $$("option", c).forEach(function (o) { if (o.selected) values.push(o.value); });
      } else {
        values.push(c.value);
      }
    });
    return values;
  }
  function updateShowWhen() {
    $$("[data-show-when]").forEach(function (el) {
      var rule = el.getAttribute("data-show-when");
      var i = rule.indexOf("=");
      if (i < 1) return;
      var name = rule.slice(0, i), wanted = rule.slice(i + 1).split("|");
      var values = controlValues(el.closest("form") || document, name);
      var hidden = !values.some(function (v) { return wanted.indexOf(v) !== -1; });
      if (el.hidden && !hidden) el.dispatchEvent(new CustomEvent("cs:shown", { bubbles: true }));
      el.hidden = hidden;
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.name && document.querySelector("[data-show-when]")) updateShowWhen();
  });

  /* ---------- Code editor ---------- */
  function initCodeEditor(root) {
    var ta = root.querySelector("textarea");
    var gutter = root.querySelector(".cs-code-editor__gutter");
    var cursor = root.querySelector("[data-code-cursor]");
    if (!ta) return;
    var errorLine = parseInt(ta.getAttribute("data-error-line") || "0", 10);
    if (errorLine > 0) ta.style.setProperty("--cs-error-line", String(errorLine));
    var lastCount = -1;
    function renderGutter() {
      if (!gutter) return;
      var count = ta.value.split("\n").length;
      if (count === lastCount) return;
      lastCount = count;
      var frag = document.createDocumentFragment();
      for (var i = 1; i <= count; i++) {
        var span = document.createElement("span");
        span.textContent = String(i);
        if (i === errorLine) span.className = "is-error";
        frag.appendChild(span);
      }
      gutter.replaceChildren(frag);
      gutter.scrollTop = ta.scrollTop;
    }
    function renderCursor() {
      if (!cursor) return;
      var before = ta.value.slice(0, ta.selectionStart).split("\n");
      cursor.textContent = csText("cursor", { line: before.length, column: before[before.length - 1].length + 1 });
    }
    ta.addEventListener("input", function () { renderGutter(); renderCursor(); });
    ta.addEventListener("scroll", function () { if (gutter) gutter.scrollTop = ta.scrollTop; });
    ["keyup", "click", "focus"].forEach(function (ev) { ta.addEventListener(ev, renderCursor); });
    renderGutter();
    renderCursor();
  }

  /* ---------- Init ---------- */
  function init() {
    $$("[data-code-editor]").forEach(initCodeEditor);
    $$("input[data-table-filter]").forEach(function (input) { if (input.value) applyFilter(input); });
    $$("input[data-confirm-text]").forEach(updateConfirm);
    updateShowWhen();
    updateSelection();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  // Browsers restore form state on back/forward navigation.
  window.addEventListener("pageshow", function () { updateShowWhen(); updateSelection(); });
})();

/* ---------- Pickers (server-side tables inside forms) ----------
 *   [data-picker="URL"] [data-picker-field] [data-picker-prefix] [data-picker-multiple]
 *   input[data-picker-search]  searches on the server as the learner types
 *   a[data-picker-page="N"]    another page, from the server
 *   input[data-picker-choice]  a choice; choices survive paging in [data-picker-hidden]
 *   [data-picker-count]        "N selected"
 */
(function () {
  "use strict";
  function pickerOf(el) { return el.closest("[data-picker]"); }
  function state(picker) {
    if (!picker._chosen) {
      picker._chosen = [];
      picker.querySelectorAll("[data-picker-hidden] input, input[data-picker-choice]:checked").forEach(function (i) {
        if (picker._chosen.indexOf(i.value) < 0) picker._chosen.push(i.value);
      });
    }
    return picker._chosen;
  }
  function sync(picker) {
    var chosen = state(picker);
    var field = picker.getAttribute("data-picker-field");
    var shown = [];
    picker.querySelectorAll("input[data-picker-choice]").forEach(function (i) {
      shown.push(i.value);
      i.checked = chosen.indexOf(i.value) >= 0;
    });
    var hidden = picker.querySelector("[data-picker-hidden]");
    hidden.textContent = "";
    chosen.forEach(function (value) {
      if (shown.indexOf(value) >= 0) return;
      var input = document.createElement("input");
      input.type = "hidden"; input.name = field; input.value = value;
      hidden.appendChild(input);
    });
    var count = picker.querySelector("[data-picker-count]");
    if (count) count.textContent = csText("selected", { count: chosen.length });
  }
  function load(picker, page) {
    var q = picker.querySelector("[data-picker-search]").value;
    var params = new URLSearchParams({
      q: q, page: String(page || 1),
      field: picker.getAttribute("data-picker-field"),
      prefix: picker.getAttribute("data-picker-prefix") || "",
      multiple: picker.getAttribute("data-picker-multiple") || "1"
    });
    JSON.parse(picker.getAttribute("data-picker-attached") || "[]").forEach(function (v) { params.append("attached", v); });
    fetch(picker.getAttribute("data-picker") + "?" + params.toString(), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        picker.querySelector("[data-picker-body]").innerHTML = html;
        sync(picker);
      });
  }
  var timer = null;
  document.addEventListener("input", function (e) {
    if (!e.target.matches("[data-picker-search]")) return;
    var picker = pickerOf(e.target);
    state(picker);
    clearTimeout(timer);
    timer = setTimeout(function () { load(picker, 1); }, 250);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.matches && e.target.matches("[data-picker-search]") && e.key === "Enter") e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-picker-page]");
    if (!link) return;
    e.preventDefault();
    if (link.closest(".disabled")) return;
    var picker = pickerOf(link);
    state(picker);
    load(picker, parseInt(link.getAttribute("data-picker-page"), 10));
  });
  // a picker in a section shown only now (data-show-when) fetches its first page now
  function loadLazy(root) {
    root.querySelectorAll("[data-picker][data-picker-lazy]").forEach(function (picker) {
      if (picker.closest("[hidden]")) return;
      picker.removeAttribute("data-picker-lazy");
      state(picker);
      load(picker, 1);
    });
  }
  document.addEventListener("cs:shown", function (e) { setTimeout(function () { loadLazy(e.target); }, 0); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { loadLazy(document); }); else loadLazy(document);
  document.addEventListener("change", function (e) {
    if (!e.target.matches("input[data-picker-choice]")) return;
    var picker = pickerOf(e.target);
    var chosen = state(picker);
    var i = chosen.indexOf(e.target.value);
    if (picker.getAttribute("data-picker-multiple") === "0") {
      chosen.length = 0;
      if (e.target.checked) chosen.push(e.target.value);
    } else if (e.target.checked && i < 0) {
      chosen.push(e.target.value);
    } else if (!e.target.checked && i >= 0) {
      chosen.splice(i, 1);
    }
    sync(picker);
  });
})();

/* Tags - optional (the Create user wizard, the Tags tabs): Add new tag clones the row template,
 * Remove drops a row; a row left blank is ignored by the server.
 *   [data-tag-rows] > template[data-tag-template], [data-tag-add], [data-tag-remove], [data-tag-empty]
 */
(function () {
  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-tag-add]");
    if (add) {
      var box = add.closest("[data-tag-rows]");
      var tpl = box.querySelector("template[data-tag-template]");
      var row = tpl.content.firstElementChild.cloneNode(true);
      var n = box.querySelectorAll("[data-tag-row]").length + 1;
      row.querySelectorAll("input").forEach(function (input, i) {
        input.id = "tag-" + (i ? "value" : "key") + "-new-" + n;
        input.previousElementSibling.setAttribute("for", input.id);
      });
      tpl.before(row);
      var empty = box.querySelector("[data-tag-empty]");
      if (empty) empty.hidden = true;
      row.querySelector("input").focus();
      return;
    }
    var remove = e.target.closest("[data-tag-remove]");
    if (remove) {
      var rows = remove.closest("[data-tag-rows]");
      remove.closest("[data-tag-row]").remove();
      var left = rows.querySelectorAll("[data-tag-row]").length;
      var none = rows.querySelector("[data-tag-empty]");
      if (none) none.hidden = left > 0;
    }
  });
})();

/* The top bar's Services menu: the search box filters the services as the learner types;
 * Enter opens the first match.
 *   input[data-services-search], [data-services-group] > [data-services-item][data-services-text], [data-services-none]
 */
(function () {
  function filter(input) {
    var panel = input.closest(".cs-services__panel");
    var words = input.value.toLowerCase().trim().split(/\s+/).filter(Boolean);
    var shown = 0;
    panel.querySelectorAll("[data-services-group]").forEach(function (group) {
      var any = false;
      group.querySelectorAll("[data-services-item]").forEach(function (item) {
        var text = item.getAttribute("data-services-text");
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        item.hidden = !ok;
        if (ok) { any = true; shown += 1; }
      });
      group.hidden = !any;
    });
    panel.querySelector("[data-services-none]").hidden = shown > 0;
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-services-search]")) filter(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if (!(e.target.matches && e.target.matches("[data-services-search]")) || e.key !== "Enter") return;
    e.preventDefault();
    var first = e.target.closest(".cs-services__panel").querySelector("[data-services-item]:not([hidden])");
    if (first) window.location.href = first.href;
  });
  document.addEventListener("shown.bs.dropdown", function (e) {
    var input = e.target.parentElement && e.target.parentElement.querySelector("[data-services-search]");
    if (input) input.focus();
  });
})();

