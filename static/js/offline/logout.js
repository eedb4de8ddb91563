/* Logging out clears the phone: the visitor app's store (IndexedDB), its caches and its
 * service worker go before the logout form is sent. Visits not yet stored are named first. */
"use strict";

(function () {
  const DB_NAME = "eldercare-offline";
  const form = document.getElementById("logout-form");
  if (!form) return;

  function unsentCount() {
    return new Promise((resolve) => {
      if (!window.indexedDB || !indexedDB.databases) return resolve(0);
      indexedDB.databases().then((dbs) => {
        if (!dbs.some((db) => db.name === DB_NAME)) return resolve(0);
        const open = indexedDB.open(DB_NAME);
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("queue")) { db.close(); return resolve(0); }
          const request = db.transaction("queue").objectStore("queue").getAll();
          request.onsuccess = () => {
            db.close();
            resolve(request.result.filter((item) => item.status !== "stored" && item.status !== "duplicate").length);
          };
          request.onerror = () => { db.close(); resolve(0); };
        };
      }, () => resolve(0));
    });
  }

  function deleteStore() {
    return new Promise((resolve) => {
      if (!window.indexedDB) return resolve();
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = () => resolve();
      request.onblocked = () => setTimeout(resolve, 1000); // deleted once the last tab lets go
    });
  }

  async function clearPhone() {
    await deleteStore();
    if (window.caches) {
      const keys = await caches.keys();
      await Promise.all(keys.filter((key) => key.startsWith("eldercare-offline-")).map((key) => caches.delete(key)));
    }
    if (navigator.serviceWorker) {
      const registrations = await navigator.serviceWorker.getRegistrations();
      await Promise.all(registrations.map((registration) => registration.unregister()));
    }
  }

  let cleared = false;
  form.addEventListener("submit", async (event) => {
    if (cleared) return;
    event.preventDefault();
    const unsent = await unsentCount();
    if (unsent > 0 && !window.confirm(form.dataset.unsentWarning.replace("{n}", unsent))) return;
    try {
      await clearPhone();
    } finally {
      cleared = true;
      form.submit();
    }
  });
})();
