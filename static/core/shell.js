// The page shell: the phone drawer, the shortcuts dialog, search focus, the time zone cookie, and the live
// event socket (core/consumers.py) re-dispatched as "roost:event" DOM events for the apps to listen to.
// No inline script anywhere (the CSP forbids it); everything hangs off data- attributes.
(function () {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // Dates are shown in the browser's time zone (core.middleware.BrowserTimezoneMiddleware reads this cookie).
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !document.cookie.split("; ").includes("roost_tz=" + zone)) {
      document.cookie = "roost_tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* no Intl: the site's default zone is used */ }

  const app = $("[data-app]");
  if (!app) return;
  $$("[data-drawer-toggle]").forEach((b) => b.addEventListener("click", () => app.classList.toggle("drawer-open")));
  $$("[data-drawer-close]").forEach((b) => b.addEventListener("click", () => app.classList.remove("drawer-open")));

  // The account menu closes when one clicks elsewhere.
  const account = $("[data-account-menu]");
  document.addEventListener("click", (event) => {
    if (account && account.open && !account.contains(event.target)) account.open = false;
  });

  const help = $("[data-shortcuts]");
  $$("[data-shortcuts-close]").forEach((b) => b.addEventListener("click", () => { help.hidden = true; }));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    if (event.key === "?") { help.hidden = !help.hidden; event.preventDefault(); }
    else if (event.key === "Escape") { help.hidden = true; app.classList.remove("drawer-open"); if (account) account.open = false; }
    else if (event.key === "/") { const s = $("[data-search-input]"); if (s) { s.focus(); event.preventDefault(); } }
  });

  function toast(text, isError) {
    let box = $(".toasts");
    if (!box) { box = document.createElement("div"); box.className = "toasts"; $(".content").prepend(box); }
    const item = document.createElement("div");
    item.className = "toast" + (isError ? " toast-error" : "");
    item.setAttribute("role", "status");
    item.textContent = text;
    box.append(item);
  }

  // An event with `notify` (a calendar reminder) becomes a system notification once the person allowed them;
  // the tag keeps it to one however many pages are open. Without permission it is a toast like any other.
  function notify(event) {
    if (!event.notify || !("Notification" in window) || Notification.permission !== "granted") return false;
    try {
      const shown = new Notification(event.title || "Roost", { body: event.message || "", tag: event.tag || "" });
      shown.addEventListener("click", () => {
        window.focus();
        if (typeof event.url === "string" && /^\/(?![/\\])/.test(event.url)) window.location.assign(event.url);
        shown.close();
      });
      return true;
    } catch (e) { return false; }  // Chrome on Android shows notifications only from a service worker
  }

  // Live updates: one socket per page, reconnecting with a growing pause; apps listen for "roost:event".
  let pause = 1000;
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + window.location.host + "/ws/events/");
    socket.addEventListener("open", () => { pause = 1000; document.documentElement.dataset.liveReady = "1"; });
    socket.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      document.dispatchEvent(new CustomEvent("roost:event", { detail: event }));
      if (event.message && !notify(event)) toast(event.message, event.level === "error");
    });
    socket.addEventListener("close", (closed) => {
      delete document.documentElement.dataset.liveReady;
      if (closed.code === 4401) return;  // signed out: nothing to reconnect for
      window.setTimeout(connect, pause);
      pause = Math.min(pause * 2, 30000);
    });
  }
  if ("WebSocket" in window) connect();
  document.documentElement.dataset.shellReady = "1";
})();
