// posdesk intake (/tickets/new): type-ahead look-up over MID, TID, SN, phone and merchant name.
// Typing fetches /tickets/lookup?q= (an HTML fragment rendered by the server); ↑/↓ move through
// the candidates, Enter picks one (fills the merchant and terminal fields and loads the
// terminal's intake panel from /tickets/intake-panel?terminal=ID), Esc closes the list.
// Without this script the look-up form submits to /tickets/new?q= and the candidates are links.
(function () {
  "use strict";
  var input = document.getElementById("intake-q");
  var results = document.getElementById("intake-results");
  var panel = document.getElementById("intake-panel");
  if (!input || !results || !window.fetch) {
    return;
  }
  var form = document.getElementById("intake-lookup-form");
  var merchant = document.getElementById("ticket-merchant");
  var mid = document.getElementById("ticket-mid");
  var terminal = document.getElementById("ticket-terminal");
  var next = document.getElementById("ticket-category");
  var submit = document.getElementById("intake-q-submit");
  var emptyPanel = panel ? panel.innerHTML : "";
  var active = -1;
  var timer = null;
  var inflight = null;
  var seq = 0;

  // Enter looks up at once, so the separate button is only for the page without script.
  if (submit) {
    submit.hidden = true;
  }

  function options() {
    return results.querySelectorAll('[role="option"]');
  }

  function setActive(i) {
    var opts = options();
    // -1: none; otherwise wrapped into the list.
    active = opts.length === 0 || i === -1 ? -1 : (i + opts.length) % opts.length;
    for (var k = 0; k < opts.length; k++) {
      var on = k === active;
      opts[k].setAttribute("aria-selected", on ? "true" : "false");
      opts[k].classList.toggle("active", on);
    }
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(html) {
    results.innerHTML = html;
    var links = results.querySelectorAll("a");
    for (var k = 0; k < links.length; k++) {
      // The list is reached with the arrow keys; Tab goes on to the form.
      links[k].tabIndex = -1;
    }
    input.setAttribute("aria-expanded", options().length > 0 ? "true" : "false");
    setActive(-1);
  }

  function close() {
    if (inflight) {
      inflight.abort();
      inflight = null;
    }
    results.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function lookup() {
    var q = input.value.trim();
    if (q.length < 2) {
      close();
      return;
    }
    if (inflight) {
      inflight.abort();
    }
    inflight = window.AbortController ? new AbortController() : null;
    var mine = ++seq;
    fetch(input.dataset.lookup + "?q=" + encodeURIComponent(q), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      signal: inflight ? inflight.signal : undefined,
    })
      .then(function (r) {
        return r.text().then(function (t) {
          return { ok: r.ok || r.status === 422, text: t };
        });
      })
      .then(function (r) {
        // A slower, older answer never replaces a newer one.
        if (mine === seq && r.ok) {
          show(r.text);
        }
      })
      .catch(function () {});
  }

  function ensureOption(select, value, label) {
    if (!select || !value) {
      return;
    }
    for (var k = 0; k < select.options.length; k++) {
      if (select.options[k].value === value) {
        select.selectedIndex = k;
        return;
      }
    }
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
    select.value = value;
  }

  function loadPanel(id) {
    if (!panel) {
      return;
    }
    if (!id) {
      panel.innerHTML = emptyPanel;
      return;
    }
    fetch(input.dataset.panel + "?terminal=" + encodeURIComponent(id), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (t) {
        if (t !== null) {
          panel.innerHTML = t;
        }
      })
      .catch(function () {});
  }

  function pick(opt) {
    var m = opt.dataset.merchant;
    var t = opt.dataset.terminal;
    if (m) {
      ensureOption(merchant, m, opt.dataset.merchantLabel);
      if (mid) {
        mid.value = "";
      }
    }
    if (terminal) {
      if (t) {
        ensureOption(terminal, t, opt.dataset.terminalLabel);
      } else {
        terminal.value = "";
      }
    }
    close();
    loadPanel(t);
    if (next) {
      next.focus();
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 120);
  });

  input.addEventListener("keydown", function (e) {
    var opts = options();
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (opts.length === 0) {
        return;
      }
      e.preventDefault();
      if (e.key === "ArrowDown") {
        setActive(active < 0 ? 0 : active + 1);
      } else {
        setActive(active < 0 ? opts.length - 1 : active - 1 < 0 ? opts.length - 1 : active - 1);
      }
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (opts.length > 0) {
        pick(opts[active >= 0 ? active : 0]);
      } else {
        clearTimeout(timer);
        lookup();
      }
    } else if (e.key === "Escape") {
      if (results.innerHTML !== "") {
        e.preventDefault();
        close();
      }
    }
  });

  results.addEventListener("click", function (e) {
    var opt = e.target.closest('[role="option"]');
    if (opt) {
      e.preventDefault();
      pick(opt);
    }
  });

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      lookup();
    });
  }

  if (terminal) {
    terminal.addEventListener("change", function () {
      loadPanel(terminal.value);
    });
  }
})();
