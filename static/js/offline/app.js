/* The visitor's offline app: work list, person page and visit form from the phone's store,
 * visits queued under a phone-made id and sent when the network returns.
 * Labels and messages come translated from the page (json_script "offline-config").
 */
"use strict";

(function () {
  const S = window.EldercareStore;
  const db = S.db;
  const config = JSON.parse(document.getElementById("offline-config").textContent);
  const M = config.messages;
  const DIMENSIONS = Object.keys(config.dimensions);
  const REFRESH_EVERY_MS = 5 * 60 * 1000;
  const SYNC_EVERY_MS = 60 * 1000;
  let syncing = false;
  let lastRefresh = 0;

  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (all, key) => (key in values ? values[key] : all));

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && node.append(child));
    return node;
  }

  function localToday() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function notice(text, kind) {
    const box = $("notice");
    box.className = "alert alert-" + (kind || "info");
    box.textContent = text;
    if (!text) box.className = "alert d-none";
  }

  function myQueue() {
    return db.queue.where("userId").equals(config.user).toArray();
  }

  // --- status bar ------------------------------------------------------------------------

  async function renderStatus() {
    const net = $("net-status");
    const isOnline = navigator.onLine;
    net.textContent = isOnline ? M.online : M.offline;
    net.dataset.state = isOnline ? "online" : "offline";
    net.className = "badge " + (isOnline ? "text-bg-success" : "text-bg-danger");
    const queue = await myQueue();
    const waiting = queue.filter((i) => i.status === "pending" || i.status === "sending").length;
    const count = $("queue-count");
    count.dataset.count = String(waiting);
    count.textContent = fmt(M.waiting, { n: waiting });
    count.hidden = waiting === 0;
    const refreshedAt = await S.getMeta("refreshedAt");
    $("freshness").textContent = refreshedAt
      ? fmt(M.refreshed, { time: new Date(refreshedAt).toLocaleString("zh-CN", { hour12: false }) })
      : M.neverRefreshed;
    $("freshness").dataset.refreshedAt = refreshedAt || "";
  }

  // --- views -----------------------------------------------------------------------------

  function show(view) {
    ["list", "elder", "form", "unavailable"].forEach((name) => {
      $("view-" + name).hidden = name !== view;
    });
  }

  const STATUS_CLASS = { pending: "text-bg-warning", sending: "text-bg-info", stored: "text-bg-success", duplicate: "text-bg-success", refused: "text-bg-danger" };

  function errorText(errors) {
    if (!errors) return "";
    return Object.entries(errors).map(([field, messages]) => {
      const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
      return field === "__all__" || field === "non_field_errors" || field === "detail" ? text : (config.fieldLabels && config.fieldLabels[field] ? config.fieldLabels[field] + "：" : "") + text;
    }).join(" ");
  }

  async function renderList() {
    const elders = await db.elders.toArray();
    const queue = await myQueue();
    const queuedFor = new Set(queue.filter((i) => i.status === "pending" || i.status === "sending").map((i) => i.elderId));
    const refusedFor = new Set(queue.filter((i) => i.status === "refused").map((i) => i.elderId));
    const list = $("offline-work-list");
    list.replaceChildren();
    elders.forEach((elder) => {
      const marks = [];
      if (elder.visitedByOther) {
        marks.push(el("span", { class: "badge text-bg-secondary me-1", "data-mark": "visited-by-other", text: fmt(M.visitedByOther, elder.visitedByOther) }));
        if (elder.newSinceRefresh) marks.push(el("span", { class: "badge text-bg-info me-1", "data-mark": "new", text: M.newSinceRefresh }));
      } else if (elder.visitedThisMonth) {
        marks.push(el("span", { class: "badge text-bg-success me-1", "data-mark": "visited", text: M.visitedByMe }));
      }
      if (queuedFor.has(elder.id)) marks.push(el("span", { class: "badge text-bg-warning me-1", "data-mark": "queued", text: M.queuedHere }));
      if (refusedFor.has(elder.id)) marks.push(el("span", { class: "badge text-bg-danger me-1", "data-mark": "refused", text: M.refusedHere }));
      const last = elder.lastVisit ? fmt(M.lastVisit, { date: elder.lastVisit }) : M.neverVisited;
      list.append(el("div", { class: "list-group-item d-flex justify-content-between align-items-center", "data-elder": elder.id }, [
        el("div", {}, [
          el("a", { class: "fw-semibold", href: "#/elder/" + elder.id, text: elder.name }),
          document.createTextNode(" "),
          el("span", { class: "small text-muted", text: elder.village }),
          el("div", { class: "small" + (elder.lastVisit ? "" : " text-danger"), text: last }),
          el("div", { class: "small" }, marks),
        ]),
        el("a", { class: "btn btn-primary", href: "#/elder/" + elder.id + "/visit", text: config.visitLabel }),
      ]));
    });
    if (!elders.length) list.append(el("div", { class: "list-group-item text-muted", text: (await S.getMeta("refreshedAt")) ? M.everyoneVisited : M.neverRefreshed }));

    const section = $("queue-section");
    const items = queue.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    section.hidden = items.length === 0;
    const ul = $("queue-list");
    ul.replaceChildren();
    items.forEach((item) => {
      const label = item.status === "refused" && item.conflict ? M.conflict : M[item.status];
      const children = [
        el("div", { class: "d-flex justify-content-between" }, [
          el("span", { class: "fw-semibold", text: item.elderName + " · " + item.payload.visited_on }),
          el("span", { class: "badge " + STATUS_CLASS[item.status], "data-status": item.status, text: label }),
        ]),
      ];
      if (item.status === "refused") {
        children.push(el("div", { class: "small text-danger", "data-reason": "", text: errorText(item.errors) }));
        children.push(el("div", { class: "mt-1 d-flex gap-2" }, [
          el("a", { class: "btn btn-sm btn-outline-primary", href: "#/edit/" + item.clientId, "data-action": "correct", text: config.correctLabel }),
          el("button", { class: "btn btn-sm btn-outline-danger", type: "button", "data-action": "discard", "data-client-id": item.clientId, text: config.discardLabel }),
        ]));
      }
      if ((item.status === "stored" || item.status === "duplicate") && item.urgent) {
        children.push(el("div", { class: "small text-warning-emphasis", "data-referral": "", text: M.referralOpened }));
      }
      ul.append(el("li", { class: "list-group-item", "data-client-id": item.clientId }, children));
    });
    show("list");
  }

  async function renderElder(id) {
    const elder = await db.elders.get(id);
    if (!elder) return unavailable(M.notFound);
    $("elder-name").textContent = elder.name;
    $("elder-facts").textContent = [elder.village, elder.idMasked, elder.age + config.ageUnit, elder.categories.join("、")].filter(Boolean).join(" · ");
    $("elder-contact").textContent = [elder.address, elder.phone].filter(Boolean).join(" · ");
    const mark = $("elder-mark");
    mark.replaceChildren();
    if (elder.visitedByOther) mark.append(el("span", { class: "badge text-bg-secondary", "data-mark": "visited-by-other", text: fmt(M.visitedByOther, elder.visitedByOther) }));
    $("elder-visit-link").setAttribute("href", "#/elder/" + elder.id + "/visit");
    const ul = $("elder-visits");
    ul.replaceChildren();
    const queued = (await myQueue()).filter((i) => i.elderId === id);
    queued.forEach((item) => ul.append(el("li", { class: "list-group-item list-group-item-warning", text: item.payload.visited_on + " · " + config.visitor.name + " · " + (M[item.status] || "") })));
    elder.visits.forEach((visit) => {
      ul.append(el("li", { class: "list-group-item", "data-kind": "visit" }, [
        document.createTextNode(visit.date + " · " + visit.visitor + " · " + visit.method),
        visit.urgent.length ? el("span", { class: "badge text-bg-danger ms-1", text: visit.urgent.join("、") }) : null,
      ]));
    });
    if (!elder.visits.length && !queued.length) ul.append(el("li", { class: "list-group-item text-muted", text: M.neverVisited }));
    show("elder");
  }

  function unavailable(text) {
    $("view-unavailable").querySelector(".alert").textContent = text || M.needsNetwork;
    show("unavailable");
  }

  // --- the form --------------------------------------------------------------------------

  const form = $("offline-visit-form");
  let editing = null; // { elderId, clientId (when correcting) }

  function clearErrors() {
    form.querySelectorAll("[data-field]").forEach((node) => { node.textContent = ""; });
    $("form-errors").classList.add("d-none");
  }

  function showErrors(errors) {
    clearErrors();
    const general = [];
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
      const slot = form.querySelector('[data-field="' + field + '"]');
      if (slot && field !== "__all__") slot.textContent = text;
      else general.push(text);
    });
    if (general.length) {
      $("form-errors").textContent = general.join(" ");
      $("form-errors").classList.remove("d-none");
    }
  }

  function fillForm(payload) {
    form.reset();
    form.elements.visited_on.value = payload ? payload.visited_on : localToday();
    form.querySelector('input[name=method][value="' + (payload ? payload.method : "in_person") + '"]').checked = true;
    DIMENSIONS.forEach((name) => {
      if (payload && payload[name]) form.querySelector('input[name="' + name + '"][value="' + payload[name] + '"]').checked = true;
      form.elements[name + "_note"].value = payload ? payload[name + "_note"] || "" : "";
    });
    form.querySelectorAll("input[name=helps_needed]").forEach((box) => { box.checked = Boolean(payload && payload.helps_needed.includes(box.value)); });
    form.elements.notes.value = payload ? payload.notes : "";
  }

  async function renderForm(elderId, clientId) {
    const elder = await db.elders.get(elderId);
    const item = clientId ? await db.queue.get(clientId) : null;
    if (!elder && !item) return unavailable(M.notFound);
    editing = { elderId: elderId, clientId: clientId || null };
    $("form-elder").textContent = elder ? [elder.name, elder.village, elder.idMasked].join(" · ") : item.elderName;
    fillForm(item ? item.payload : null);
    clearErrors();
    if (item && item.errors) showErrors(item.errors);
    show("form");
  }

  /* The rules that need no server: a date not in the future, an urgent dimension explained,
   * at least one dimension assessed. */
  function phoneErrors(data) {
    const errors = {};
    if (!data.visited_on) errors.visited_on = [M.noDate];
    else if (data.visited_on > localToday()) errors.visited_on = [M.future];
    if (!DIMENSIONS.some((name) => data[name])) errors.dimensions = [M.noDimension];
    DIMENSIONS.forEach((name) => {
      if (data[name] === "urgent" && !data[name + "_note"].trim()) errors[name + "_note"] = [M.urgentNote];
    });
    return errors;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const checked = (name) => { const box = form.querySelector('input[name="' + name + '"]:checked'); return box ? box.value : ""; };
    const data = {
      elder: editing.elderId,
      visitor: config.visitor.id,
      visited_on: form.elements.visited_on.value,
      method: checked("method") || "in_person",
      helps_needed: Array.from(form.querySelectorAll("input[name=helps_needed]:checked"), (box) => box.value),
      notes: form.elements.notes.value.trim(),
    };
    DIMENSIONS.forEach((name) => {
      data[name] = checked(name);
      data[name + "_note"] = form.elements[name + "_note"].value.trim();
    });
    const errors = phoneErrors(data);
    if (Object.keys(errors).length) {
      showErrors(errors);
      return;
    }
    DIMENSIONS.forEach((name) => { data[name] = data[name] || "normal"; });
    const elder = await db.elders.get(editing.elderId);
    const previous = editing.clientId ? await db.queue.get(editing.clientId) : null;
    // A refused visit stored nothing: resent under its id. A conflict needs a new id.
    const clientId = previous && !previous.conflict ? previous.clientId : S.uuid();
    if (previous && previous.clientId !== clientId) await db.queue.delete(previous.clientId);
    const now = new Date().toISOString();
    await db.queue.put({
      clientId: clientId,
      userId: config.user,
      elderId: editing.elderId,
      elderName: elder ? elder.name : previous.elderName,
      payload: data,
      status: "pending",
      errors: null,
      conflict: false,
      urgent: DIMENSIONS.some((name) => data[name] === "urgent"),
      createdAt: previous ? previous.createdAt : now,
      updatedAt: now,
    });
    go("#/", { text: navigator.onLine ? M.savedSending : M.savedOffline, kind: "success" });
    await renderStatus();
    if (navigator.onLine) sync();
  });

  // --- sync ------------------------------------------------------------------------------

  async function loginExpired() {
    try {
      const me = await fetch("/api/v1/me/", { credentials: "same-origin", headers: { Accept: "application/json" } });
      return me.status === 401 || me.status === 403;
    } catch (error) {
      return false;
    }
  }

  async function sendOne(item) {
    await db.queue.update(item.clientId, { status: "sending" });
    let response;
    try {
      response = await fetch(config.urls.visits, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": item.clientId, "X-CSRFToken": csrfToken() },
        body: JSON.stringify(item.payload),
      });
    } catch (error) {
      await db.queue.update(item.clientId, { status: "pending" });
      return "network";
    }
    const body = await response.json().catch(() => ({}));
    const sentAt = new Date().toISOString();
    if (response.status === 201 || response.status === 200) {
      await db.queue.update(item.clientId, { status: body.duplicate ? "duplicate" : "stored", serverId: body.id, errors: null, sentAt: sentAt });
      return "ok";
    }
    if (response.status === 409) {
      await db.queue.update(item.clientId, { status: "refused", conflict: true, errors: { __all__: [body.detail] }, sentAt: sentAt });
      return "ok";
    }
    if (response.status === 400 || response.status === 403) {
      if (response.status === 403 && (await loginExpired())) {
        await db.queue.update(item.clientId, { status: "pending" });
        notice(M.loginAgain, "warning");
        return "login";
      }
      await db.queue.update(item.clientId, { status: "refused", conflict: false, errors: body, sentAt: sentAt });
      return "ok";
    }
    await db.queue.update(item.clientId, { status: "pending" }); // the server is unwell: later
    return "later";
  }

  /* Send what is queued, then refresh the list: at once when something was sent or when asked
   * (button, network back), otherwise at most every five minutes. */
  async function sync(force) {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      const items = (await myQueue()).filter((i) => i.status === "pending" || i.status === "sending");
      force = force === true || items.length > 0;
      for (const item of items.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
        const outcome = await sendOne(item);
        // A lost answer leaves the visit queued (its id makes resending safe); the others
        // still go while the phone is online. A login or server problem stops the round.
        if (outcome === "network" && navigator.onLine) continue;
        if (outcome !== "ok") break;
      }
      await refresh(force);
    } finally {
      syncing = false;
      if ($("notice").textContent === M.savedSending) notice(""); // each visit now shows its answer
      await render();
    }
  }

  async function refresh(force) {
    if (!navigator.onLine) return;
    if (!force && Date.now() - lastRefresh < REFRESH_EVERY_MS) return;
    let response;
    try {
      response = await fetch(config.urls.data, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || response.redirected || !type.includes("json")) {
      notice(M.loginAgain, "warning");
      return;
    }
    const data = await response.json();
    if (data.user !== config.user) return;
    await S.replaceElders(data, config.visitor.id);
    lastRefresh = Date.now();
  }

  async function dropStaleList() {
    const refreshedAt = await S.getMeta("refreshedAt");
    if (refreshedAt && Date.now() - new Date(refreshedAt).getTime() > config.maxAgeDays * 86400000) {
      await S.clearList();
      notice(fmt(M.stale, { days: config.maxAgeDays }), "warning");
    }
  }

  // --- routing ---------------------------------------------------------------------------

  async function render() {
    await renderStatus();
    const hash = location.hash.replace(/^#/, "") || "/";
    let match;
    if ((match = hash.match(/^\/elder\/(\d+)\/visit$/))) return renderForm(Number(match[1]));
    if ((match = hash.match(/^\/elder\/(\d+)$/))) return renderElder(Number(match[1]));
    if ((match = hash.match(/^\/edit\/([0-9a-f-]+)$/))) {
      const item = await db.queue.get(match[1]);
      return item ? renderForm(item.elderId, item.clientId) : renderList();
    }
    if (hash === "/unavailable") return unavailable();
    return renderList();
  }

  /* The worker answers the visitor's server pages with this shell when offline: show the
   * matching view, under the shell's own address. */
  function adoptServerPath() {
    const path = location.pathname;
    if (path === config.urls.shell) return;
    let match;
    let hash = "#/unavailable";
    if ((match = path.match(/^\/visits\/elders\/(\d+)\/visit\/$/))) hash = "#/elder/" + match[1] + "/visit";
    else if ((match = path.match(/^\/visits\/elders\/(\d+)\/$/))) hash = "#/elder/" + match[1];
    else if (path === "/visits/worklist/") hash = "#/";
    history.replaceState(null, "", config.urls.shell + hash);
  }

  document.addEventListener("click", async (event) => {
    const discard = event.target.closest("[data-action=discard]");
    if (discard && window.confirm(M.confirmDiscard)) {
      await db.queue.delete(discard.dataset.clientId);
      await render();
    }
  });
  $("sync-now").addEventListener("click", () => sync(true));
  let flash = null; // a notice for the view the app is going to
  function go(hash, message) {
    flash = message || null;
    if (location.hash === hash) {
      notice(flash ? flash.text : "", flash && flash.kind);
      flash = null;
      render();
    } else {
      location.hash = hash;
    }
  }
  window.addEventListener("hashchange", () => {
    notice(flash ? flash.text : "", flash && flash.kind);
    flash = null;
    render();
  });
  window.addEventListener("online", () => { renderStatus(); sync(true); });
  window.addEventListener("offline", () => renderStatus());
  setInterval(() => { if (navigator.onLine) sync(); }, SYNC_EVERY_MS);

  async function start() {
    adoptServerPath();
    // A visit interrupted while sending goes again: its id makes that safe.
    await db.queue.where("status").equals("sending").modify({ status: "pending" });
    await dropStaleList();
    await render();
    if (navigator.onLine) await sync(true);
    document.body.dataset.offlineReady = "1";
  }

  window.EldercareOffline = { sync: sync, refresh: refresh };
  start();
})();
