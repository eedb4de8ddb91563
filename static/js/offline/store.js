/* The phone's store for the visitor app (IndexedDB through the vendored Dexie).
 *
 *   elders: the visitor's own area as last downloaded (id, name, village, visits …)
 *   queue:  visits recorded on this phone, keyed by the phone-made id (a UUID) that is also the
 *           Idempotency-Key when they are sent; kept until logout, so a reload loses nothing
 *   meta:   refreshedAt, user, visitor of the downloaded list
 *
 * Logging out deletes the whole database (static/js/offline/logout.js).
 */
/* global Dexie */
"use strict";

(function () {
  const DB_NAME = "eldercare-offline";
  const db = new Dexie(DB_NAME);
  db.version(1).stores({
    elders: "id",
    queue: "clientId, status, userId, elderId, createdAt",
    meta: "key",
  });

  function uuid() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  async function getMeta(key) {
    const row = await db.meta.get(key);
    return row ? row.value : null;
  }

  function setMeta(key, value) {
    return db.meta.put({ key: key, value: value });
  }

  /* Replace the cached list; a person newly found visited by someone else is flagged. */
  async function replaceElders(data, myVisitorId) {
    await db.transaction("rw", db.elders, db.meta, async () => {
      const previous = new Map((await db.elders.toArray()).map((e) => [e.id, e]));
      const hadList = (await getMeta("refreshedAt")) !== null;
      const monthStart = data.today.slice(0, 8) + "01";
      const rows = data.elders.map((elder) => {
        const old = previous.get(elder.id);
        const known = new Set(old ? old.visits.map((v) => v.id) : []);
        const byOther = elder.visits.find((v) => v.visitorId !== myVisitorId && v.date >= monthStart);
        const fresh = byOther && hadList && !known.has(byOther.id);
        return Object.assign({}, elder, {
          visitedByOther: byOther ? { visitor: byOther.visitor, date: byOther.date } : null,
          newSinceRefresh: Boolean(fresh || (old && old.newSinceRefresh && byOther)),
        });
      });
      await db.elders.clear();
      await db.elders.bulkPut(rows);
      await setMeta("refreshedAt", data.generatedAt);
      await setMeta("user", data.user);
      await setMeta("visitor", data.visitor);
    });
  }

  async function clearList() {
    await db.transaction("rw", db.elders, db.meta, async () => {
      await db.elders.clear();
      await db.meta.delete("refreshedAt");
    });
  }

  window.EldercareStore = {
    db: db,
    name: DB_NAME,
    uuid: uuid,
    getMeta: getMeta,
    setMeta: setMeta,
    replaceElders: replaceElders,
    clearList: clearList,
  };
})();
