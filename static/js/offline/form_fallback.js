/* The server's visit form, for a visitor whose signal drops before saving: instead of a
 * failed submit, the visit goes into the phone's queue (same phone-made id rules as the
 * offline app, which shows it and sends it when the network returns). */
"use strict";

(function () {
  const script = document.currentScript;
  const form = document.getElementById("visit-form");
  const S = window.EldercareStore;
  if (!form || !S || !script) return;
  const DIMENSIONS = ["health", "finances", "safety", "needs"];

  form.addEventListener("submit", async (event) => {
    if (navigator.onLine) return; // online: the server's own form handling
    event.preventDefault();
    const data = new FormData(form);
    const text = (name) => String(data.get(name) || "").trim();
    const payload = {
      elder: Number(script.dataset.elder),
      visitor: Number(data.get("visitor")),
      visited_on: text("visited_on"),
      method: text("method") || "in_person",
      helps_needed: data.getAll("helps_needed"),
      notes: text("notes"),
    };
    DIMENSIONS.forEach((name) => {
      payload[name] = text(name) || "normal";
      payload[name + "_note"] = text(name + "_note");
    });
    const now = new Date().toISOString();
    await S.db.queue.put({
      clientId: S.uuid(),
      userId: Number(script.dataset.user),
      elderId: payload.elder,
      elderName: script.dataset.elderName,
      payload: payload,
      status: "pending",
      errors: null,
      conflict: false,
      urgent: DIMENSIONS.some((name) => payload[name] === "urgent"),
      createdAt: now,
      updatedAt: now,
    });
    window.location.href = script.dataset.shell;
  });
})();
