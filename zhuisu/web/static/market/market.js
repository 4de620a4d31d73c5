/* The stall holder's phone page: look a code up (a photo decoded on the server, or typed), record purchases and
   sales through the JSON API, keep entries in localStorage while offline and send them when back online. Each entry
   carries the id this phone gave it (client_id): sent twice, the server answers it as a duplicate. */
(function () {
  "use strict";
  var m = JSON.parse(document.getElementById("market-messages").textContent);
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var stallInput = document.getElementById("stall");
  if (!stallInput) { return; }
  // per party: a phone shared by two stall holders sends each one's entries in its own session
  var party = document.querySelector("meta[name=market-party]").getAttribute("content");
  var KEY = "zhuisu.market.queue." + party;
  var LOTS = "zhuisu.market.lots." + party;

  function $(id) { return document.getElementById(id); }
  function stall() { return stallInput.value; }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(items) {
    localStorage.setItem(KEY, JSON.stringify(items));
    $("queue-count").textContent = String(items.length);
    $("queue").hidden = items.length === 0;
  }

  function show(id, text, bad) {
    var el = $(id);
    el.textContent = text;
    el.hidden = false;
    el.className = bad ? "notice bad" : "notice";
  }

  function problem(response) {
    return response.json().then(function (body) { return body.detail || String(response.status); },
      function () { return String(response.status); });
  }

  function send(kind, body) {
    return fetch("/api/v1/market/" + kind, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  function unitName(key) { return m.units[key] || key; }

  function describe(entry) {
    var what = (entry.product || entry.code) + (entry.lot ? " · " + entry.lot : "");
    return what + " " + entry.unit_quantity + " " + unitName(entry.unit);
  }

  function afterRecorded(kind, entry) {
    var id = kind === "purchases" ? "purchase-result" : "sale-result";
    show(id, (entry.duplicate ? m.duplicate : kind === "purchases" ? m.purchased : m.sold) + ": " + describe(entry));
    if (kind === "sales" && entry.receipt) {
      $("receipt-print").href = "/market/receipts/" + entry.receipt;
      $("receipt-public").href = "/r/" + entry.receipt;
      $("receipt-links").hidden = false;
    }
    loadLedger();
  }

  function record(kind, body) {
    body.client_id = newId();
    body.recorded_at = new Date().toISOString();
    body.stall = stall();
    var id = kind === "purchases" ? "purchase-result" : "sale-result";
    if (!navigator.onLine) { keep(kind, body, id); return Promise.resolve(); }
    return send(kind, body).then(function (response) {
      if (response.ok) { return response.json().then(function (entry) { afterRecorded(kind, entry); }); }
      return problem(response).then(function (detail) { show(id, m.failed + ": " + detail, true); });
    }, function () { keep(kind, body, id); });
  }

  function keep(kind, body, id) {
    var items = queue();
    items.push({ kind: kind, body: body });
    saveQueue(items);
    show(id, m.offline_saved);
  }

  var syncing = false;
  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    var items = queue();
    if (!items.length) { return Promise.resolve(); }
    syncing = true;
    var sent = 0, refused = [];
    function next() {
      var items = queue();
      if (!items.length) { return Promise.resolve(); }
      var item = items[0];
      return send(item.kind, item.body).then(function (response) {
        if (response.ok) {
          sent += 1;
        } else if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403) {
          return problem(response).then(function (detail) { refused.push(detail); saveQueue(queue().slice(1)); return next(); });
        } else {
          throw new Error("later");
        }
        saveQueue(queue().slice(1));
        return next();
      });
    }
    return next().then(function () {
      show("synced", m.synced + ": " + sent + (refused.length ? " · " + m.failed + ": " + refused.join("；") : ""), refused.length > 0);
      loadLedger();
    }, function () {}).then(function () { syncing = false; });
  }

  function connection() {
    $("connection").hidden = navigator.onLine;
    if (navigator.onLine) { sync(); }
  }

  // look-up
  function showFound(found) {
    $("found").hidden = false;
    $("found-product").textContent = found.product || m.not_found;
    $("found-lot").textContent = found.lot || "—";
    $("found-supplier").textContent = found.supplier
      ? found.supplier.name + " (" + (m[found.supplier_basis] || "") + ")" : m.not_found;
    $("found-code").textContent = found.code;
    var form = $("purchase-form");
    form.code.value = found.code;
    form.compliance_certificate.value = found.compliance_certificate || "";
    form.origin.value = found.origin || "";
    if (found.shipped_uom === "KGM") { form.unit.value = "kg"; }
    if (found.shipped_uom === "XBX") { form.unit.value = "box"; }
    form.hidden = false;
    $("scan-status").textContent = "";
  }

  function offlineForm(code) {
    var form = $("purchase-form");
    form.code.value = code;
    form.hidden = false;
    $("found").hidden = true;
    $("scan-status").textContent = m.offline_lookup;
  }

  function lookUp(code) {
    $("scan-status").textContent = m.looking_up;
    if (!navigator.onLine) { offlineForm(code); return; }
    fetch("/api/v1/market/lookup?code=" + encodeURIComponent(code) + "&stall=" + encodeURIComponent(stall()),
      { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      if (response.ok) { return response.json().then(showFound); }
      return problem(response).then(function (detail) { $("scan-status").textContent = detail; });
    }, function () { offlineForm(code); });
  }

  $("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    lookUp($("scan-text").value);
  });

  $("scan-photo").addEventListener("change", function () {
    var file = $("scan-photo").files[0];
    if (!file) { return; }
    $("scan-status").textContent = m.reading_photo;
    var data = new FormData();
    data.append("image", file);
    data.append("stall", stall());
    fetch("/api/v1/market/scan", {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { return problem(response).then(function (d) { $("scan-status").textContent = d; }); }
      return response.json().then(function (scan) {
        if (scan.found) { $("scan-text").value = scan.found.code; showFound(scan.found); }
        else { $("scan-status").textContent = m.no_code; }
      });
    }, function () { $("scan-status").textContent = m.offline_lookup; });
  });

  function number(value) { return value === "" ? null : Number(value); }

  $("purchase-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target;
    var body = { code: f.code.value, quantity: Number(f.quantity.value), unit: f.unit.value, unit_price: number(f.unit_price.value) };
    ["compliance_certificate", "origin", "supplier"].forEach(function (name) {
      if (f[name].value.trim()) { body[name] = f[name].value.trim(); }
    });
    record("purchases", body).then(function () { f.quantity.value = ""; });
  });

  $("sale-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target;
    var body = { code: f.code.value, quantity: Number(f.quantity.value), unit: f.unit.value, unit_price: number(f.unit_price.value) };
    record("sales", body).then(function () { f.quantity.value = ""; });
  });

  // the ledger
  function lots(rows) {
    var select = $("sale-lot");
    var chosen = select.value;
    select.innerHTML = "";
    rows.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row.code;
      option.textContent = (row.product || row.code) + (row.lot ? " · " + row.lot : "") + " (" + row.on_hand + " " + row.uom + ")";
      select.appendChild(option);
    });
    if (chosen) { select.value = chosen; }
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) { td.className = className; }
    row.appendChild(td);
  }

  function renderLedger(ledger) {
    localStorage.setItem(LOTS, JSON.stringify(ledger.on_hand));
    lots(ledger.on_hand);
    var body = document.querySelector("#on-hand tbody");
    body.innerHTML = "";
    ledger.on_hand.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.className = "lot";
      cell(tr, row.product || row.code);
      cell(tr, row.lot || "—");
      cell(tr, row.purchased + " " + row.uom);
      cell(tr, String(row.sold));
      cell(tr, String(row.on_hand), row.on_hand < 0 ? "bad" : "");
      body.appendChild(tr);
    });
    var days = $("days");
    days.innerHTML = "";
    if (!ledger.days.length) { days.textContent = m.nothing; }
    ledger.days.forEach(function (day) {
      var section = document.createElement("div");
      section.className = "day";
      var h = document.createElement("h3");
      h.textContent = day.day + " · " + m.purchases + " ¥" + day.purchased_amount.toFixed(2) + " · " + m.sales + " ¥" + day.sold_amount.toFixed(2);
      section.appendChild(h);
      day.purchases.concat(day.sales).forEach(function (entry) {
        var line = document.createElement("div");
        line.className = "entry " + entry.kind;
        line.setAttribute("data-event", entry.event_id);
        var left = document.createElement("span");
        left.textContent = (entry.kind === "purchase" ? "⬇ " : "⬆ ") + describe(entry);
        var right = document.createElement("small");
        right.textContent = (entry.amount !== null ? "¥" + entry.amount.toFixed(2) : "")
          + (entry.supplier ? " " + entry.supplier.name : "") + (entry.receipt ? " " + m.receipt + " " + entry.receipt : "");
        line.appendChild(left);
        line.appendChild(right);
        section.appendChild(line);
      });
      days.appendChild(section);
    });
  }

  function loadLedger() {
    if (!navigator.onLine) {
      try { lots(JSON.parse(localStorage.getItem(LOTS) || "[]")); } catch (e) { lots([]); }
      return;
    }
    fetch("/api/v1/market/ledger?stall=" + encodeURIComponent(stall()), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json().then(renderLedger) : null; }, function () {});
  }

  // tabs
  function tab(name) {
    ["purchase", "sale", "ledger"].forEach(function (pane) { $(pane).hidden = pane !== name; });
    document.querySelectorAll(".market-tabs .tab").forEach(function (a) {
      a.classList.toggle("active", a.getAttribute("data-tab") === name);
    });
  }
  document.querySelectorAll(".market-tabs .tab").forEach(function (a) {
    a.addEventListener("click", function (event) { event.preventDefault(); tab(a.getAttribute("data-tab")); });
  });

  $("sync").addEventListener("click", sync);
  window.addEventListener("online", connection);
  window.addEventListener("offline", connection);
  stallInput.addEventListener("change", loadLedger);
  saveQueue(queue());
  tab(location.hash === "#sale" ? "sale" : location.hash === "#ledger" ? "ledger" : "purchase");
  connection();
  loadLedger();
})();
