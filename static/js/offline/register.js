/* Registers the visitor app's service worker (its URL and scope on this script's data-*). */
"use strict";

(function () {
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  navigator.serviceWorker
    .register(script.dataset.worker, { scope: script.dataset.scope })
    .then(() => navigator.serviceWorker.ready)
    .then(() => { document.documentElement.dataset.worker = "ready"; })
    .catch(() => { document.documentElement.dataset.worker = "failed"; });
})();
