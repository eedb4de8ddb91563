/* The visitor app's service worker (served by /sw.js, scope /visits/).
 *
 * VERSION, SHELL_URL and PRECACHE are prepended by the view: the hashed URLs of the vendored
 * assets. Cached: those assets and the app shell (its HTML carries no personal data). Never
 * cached: the server-rendered work list, person and visit pages, the data JSON and the API;
 * when the network is gone, those pages answer with the shell, which shows the phone's own
 * store (the visitor's own area only).
 */
/* global VERSION, SHELL_URL, PRECACHE */
"use strict";

const CACHE = "eldercare-offline-" + VERSION;
const NETWORK_TIMEOUT_MS = 6000;
// Server pages of the visitor's work that the shell can stand in for when offline.
const SHELL_ROUTES = [/^\/visits\/worklist\/$/, /^\/visits\/elders\/\d+\/$/, /^\/visits\/elders\/\d+\/visit\/$/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.concat([SHELL_URL]))).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("eldercare-offline-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function shellFromNetworkOrCache(request) {
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    // Keep the newest shell, but never a login page the server redirected to.
    if (response.ok && !response.redirected) {
      const cache = await caches.open(CACHE);
      await cache.put(SHELL_URL, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(SHELL_URL);
    if (cached) return cached;
    throw error;
  }
}

/* The network's page; the shell when there is none (for the visitor's work pages also when
 * the network is too slow to answer in time: the shell can do their work). */
async function pageOrShell(request, timeoutMs) {
  try {
    return await (timeoutMs ? withTimeout(fetch(request), timeoutMs) : fetch(request));
  } catch (error) {
    const cached = await caches.match(SHELL_URL);
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode !== "navigate") return; // data, API: network only
  if (url.pathname === SHELL_URL) {
    event.respondWith(shellFromNetworkOrCache(request));
  } else if (SHELL_ROUTES.some((route) => route.test(url.pathname))) {
    event.respondWith(pageOrShell(request, NETWORK_TIMEOUT_MS));
  } else if (url.pathname.startsWith("/visits/")) {
    event.respondWith(pageOrShell(request, 0)); // offline, the shell says this page needs the network
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "clear") {
    event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith("eldercare-offline-")).map((k) => caches.delete(k)))));
  }
});
