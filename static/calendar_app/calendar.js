// The calendar page: FullCalendar (from npm, static/vendor) draws the grid; everything it shows comes from
// /calendar/api/occurrences and every change goes through the event API (calendar_app/views/api.py), the
// same services CalDAV uses. No inline script or style (the CSP): colours are set through the CSSOM.
(function () {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // Colour swatches in the sidebar (every calendar page).
  $$("[data-color]").forEach((el) => { el.style.background = el.dataset.color; });

  // Settings: allow system notifications for reminders (static/core/shell.js shows them).
  const allowNotify = $("[data-cal-notify-allow]");
  if (allowNotify) {
    const notifyState = $("[data-cal-notify-state]");
    const showNotify = () => {
      const permission = "Notification" in window ? Notification.permission : "unsupported";
      notifyState.textContent = {
        granted: "Notifications are on in this browser.",
        denied: "This browser blocks notifications from Roost: allow them in its site settings.",
        unsupported: "This browser cannot show notifications here; reminders appear on the page.",
      }[permission] || "";
      allowNotify.parentElement.hidden = permission !== "default";
    };
    allowNotify.addEventListener("click", async () => {
      try { await Notification.requestPermission(); } catch (e) { /* an old callback-only browser */ }
      showNotify();
    });
    showNotify();
  }

  const page = $("[data-calendar-page]");
  if (!page || !window.FullCalendar) return;

  const csrf = () => $("input[name=csrfmiddlewaretoken]").value;
  const phone = window.matchMedia("(max-width: 700px)");
  const problem = $("[data-cal-problem]");

  function showProblem(text) {
    problem.textContent = text || "";
    problem.hidden = !text;
  }

  async function api(url, options = {}) {
    const response = await fetch(url, {
      credentials: "same-origin",
      ...options,
      headers: { Accept: "application/json", "X-CSRFToken": csrf(), ...(options.body ? { "Content-Type": "application/json" } : {}) },
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { ok: false, error: "The server answered " + response.status + "." }; }
    if (!response.ok || data.ok === false) throw new Error(data.error || "The server answered " + response.status + ".");
    return data;
  }

  const grid = $("[data-cal-grid]");
  const initialView = phone.matches ? "listWeek" : (page.dataset.defaultView || "timeGridWeek");
  const calendar = new FullCalendar.Calendar(grid, {
    initialView,
    headerToolbar: false,
    height: "100%",
    firstDay: Number(page.dataset.firstDay || 1),
    timeZone: "local",
    nowIndicator: true,
    selectable: true,
    selectMirror: true,
    editable: true,
    eventStartEditable: true,
    eventDurationEditable: true,
    dayMaxEventRows: true,
    scrollTime: "08:00:00",
    slotDuration: "00:30:00",
    snapDuration: "00:15:00",
    allDayText: "All day",
    noEventsContent: "Nothing planned",
    listDayFormat: { weekday: "long", day: "numeric", month: "long" },
    listDaySideFormat: false,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    views: { timeGrid: { displayEventEnd: false } },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    events(info, success, failure) {
      const url = new URL(page.dataset.occurrencesUrl, window.location.origin);
      url.searchParams.set("start", info.start.toISOString());
      url.searchParams.set("end", info.end.toISOString());
      api(url).then((data) => {
        showProblem(data.problem || "");
        success(data.events);
      }).catch((error) => { showProblem(error.message); failure(error); });
    },
    datesSet(info) {
      $("[data-cal-title]").textContent = info.view.title;
      $$("[data-cal-view]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.calView === info.view.type)));
      $("[data-cal-jump]").value = toDateInput(calendar ? calendar.getDate() : info.start);
    },
    select(info) {
      openEditor({ start: info.start, end: info.end, allDay: info.allDay });
      calendar.unselect();
    },
    dateClick(info) {
      if (info.view.type === "dayGridMonth") return;  // select() covers clicks in the time grid
    },
    eventClick(info) {
      info.jsEvent.preventDefault();
      openExisting(info.event);
    },
    eventDrop(info) { moveEvent(info); },
    eventResize(info) { moveEvent(info); },
    eventDidMount(info) {
      info.el.setAttribute("data-event-uid", info.event.extendedProps.uid || "");
      info.el.title = [info.event.title, info.event.extendedProps.location].filter(Boolean).join(" · ");
    },
  });
  calendar.render();
  window.roostCalendar = calendar;  // the browser tests read the rendered state through it

  // The toolbar.
  $("[data-cal-today]").addEventListener("click", () => calendar.today());
  $("[data-cal-prev]").addEventListener("click", () => calendar.prev());
  $("[data-cal-next]").addEventListener("click", () => calendar.next());
  $$("[data-cal-view]").forEach((b) => b.addEventListener("click", () => calendar.changeView(b.dataset.calView)));
  $("[data-cal-jump]").addEventListener("change", (e) => { if (e.target.value) calendar.gotoDate(e.target.value); });
  $$("[data-new-event]").forEach((b) => b.addEventListener("click", () => {
    document.querySelector("[data-app]").classList.remove("drawer-open");
    const start = roundedNow();
    openEditor({ start, end: new Date(start.getTime() + 3600000), allDay: false });
  }));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || event.target.isContentEditable || $("dialog[open]")) return;
    const views = { d: "timeGridDay", w: "timeGridWeek", m: "dayGridMonth", a: "listWeek" };
    if (event.key === "c") { $("[data-new-event]").click(); event.preventDefault(); }
    else if (event.key === "t") calendar.today();
    else if (event.key === "j") calendar.next();
    else if (event.key === "k") calendar.prev();
    else if (views[event.key]) calendar.changeView(views[event.key]);
  });

  // Show and hide calendars: each person's own choice, kept on the server (every device sees it).
  $$("[data-calendar-toggle]").forEach((box) => {
    box.addEventListener("change", async () => {
      try {
        await api(box.dataset.visibilityUrl, { method: "POST", body: JSON.stringify({ hidden: !box.checked }) });
        calendar.refetchEvents();
      } catch (error) { box.checked = !box.checked; showProblem(error.message); }
    });
  });

  // Changes made elsewhere (another tab, a phone over CalDAV) arrive as live events.
  let refetchSoon = 0;
  document.addEventListener("roost:event", (e) => {
    if (!(e.detail.kind || "").startsWith("calendar.")) return;
    window.clearTimeout(refetchSoon);  // an import announces many changes: refetch once they settle
    refetchSoon = window.setTimeout(() => calendar.refetchEvents(), 250);
  });

  // ---- the event editor ----
  const dialog = $("[data-event-dialog]");
  const form = $("[data-event-form]");
  const scopeDialog = $("[data-scope-dialog]");
  let editing = null;  // {url, etag, recurrence_id, recurring}

  function pad(n) { return String(n).padStart(2, "0"); }
  function toDateInput(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function toTimeInput(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()); }
  function roundedNow() { const d = new Date(); d.setMinutes(d.getMinutes() < 30 ? 30 : 60, 0, 0); return d; }
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  function setAllDay(on) {
    form.elements.all_day.checked = on;
    $$(".timed", form).forEach((el) => { el.hidden = on; });
  }
  form.elements.all_day.addEventListener("change", () => setAllDay(form.elements.all_day.checked));

  const WEEKDAY = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
  const ORDINAL = ["first", "second", "third", "fourth", "last"];
  function startDate() { return new Date(form.elements.start_date.value + "T12:00:00"); }
  function describeMonthly() {
    const d = startDate();
    if (isNaN(d)) return;
    const nth = Math.floor((d.getDate() - 1) / 7);
    $("[data-monthly-date]").textContent = "Monthly on day " + d.getDate();
    $("[data-monthly-weekday]").textContent = "Monthly on the " + ORDINAL[Math.min(nth, 4)] + " " + d.toLocaleDateString(undefined, { weekday: "long" });
  }
  function syncRepeat() {
    const freq = form.elements.repeat.value;
    $$("[data-repeat-more]", form).forEach((el) => { el.hidden = !freq; });
    $("[data-weekly]").hidden = freq !== "WEEKLY";
    $("[data-monthly]").hidden = freq !== "MONTHLY";
    if (freq === "WEEKLY" && !$$("input[name=byday]:checked", form).length) {
      const box = $("input[name=byday][value=" + WEEKDAY[startDate().getDay()] + "]", form);
      if (box) box.checked = true;
    }
    describeMonthly();
  }
  form.elements.repeat.addEventListener("change", syncRepeat);
  form.elements.start_date.addEventListener("change", () => {
    describeMonthly();
    if (form.elements.end_date.value < form.elements.start_date.value) form.elements.end_date.value = form.elements.start_date.value;
  });

  function fillForm(fields) {
    form.reset();
    const f = form.elements;
    f.summary.value = fields.summary || "";
    if (fields.calendar_id) f.calendar_id.value = String(fields.calendar_id);
    setAllDay(Boolean(fields.all_day));
    const [sd, st] = (fields.start || "").split("T");
    const [ed, et] = (fields.end || "").split("T");
    f.start_date.value = sd || ""; f.start_time.value = (st || "09:00").slice(0, 5);
    f.end_date.value = ed || sd || ""; f.end_time.value = (et || "10:00").slice(0, 5);
    f.tzid.value = fields.tzid || page.dataset.timeZone || browserZone;
    f.location.value = fields.location || "";
    f.description.value = fields.description || "";
    f.transparency.value = fields.transparency || "OPAQUE";
    f.klass.value = fields.klass === "PRIVATE" || fields.klass === "CONFIDENTIAL" ? "PRIVATE" : "PUBLIC";
    f.categories.value = (fields.categories || []).join(", ");
    f.alarm.value = fields.alarm ? String(fields.alarm.minutes_before) : "";
    f.alarm_email.checked = Boolean(fields.alarm && fields.alarm.email);
    const rule = fields.rrule;
    f.repeat.value = rule ? rule.freq : "";
    f.interval.value = rule && rule.interval ? rule.interval : 1;
    $$("input[name=byday]", form).forEach((b) => { b.checked = Boolean(rule && rule.freq === "WEEKLY" && (rule.byday || []).includes(b.value)); });
    if (rule && rule.freq === "MONTHLY" && (rule.byday || []).length) form.querySelector("input[name=monthly_by][value=weekday]").checked = true;
    if (rule && rule.until) { form.querySelector("input[name=ends][value=until]").checked = true; f.until.value = rule.until; }
    else if (rule && rule.count) { form.querySelector("input[name=ends][value=count]").checked = true; f.count.value = rule.count; }
    syncRepeat();
    const guests = fields.attendees || [];
    $("[data-attendees]").hidden = !guests.length;
    $("[data-attendee-list]").replaceChildren(...guests.map((g) => {
      const li = document.createElement("li");
      li.textContent = (g.name ? g.name + " <" + g.email + ">" : g.email) + (g.partstat ? " · " + g.partstat.toLowerCase().replace("-", " ") : "");
      return li;
    }));
    $("[data-event-error]").hidden = true;
  }

  function readForm() {
    const f = form.elements;
    const allDay = f.all_day.checked;
    const fields = {
      summary: f.summary.value.trim(),
      calendar_id: Number(f.calendar_id.value),
      all_day: allDay,
      start: allDay ? f.start_date.value : f.start_date.value + "T" + f.start_time.value,
      end: allDay ? f.end_date.value : f.end_date.value + "T" + f.end_time.value,
      tzid: allDay ? "" : f.tzid.value.trim(),
      location: f.location.value.trim(),
      description: f.description.value,
      transparency: f.transparency.value,
      klass: f.klass.value,
      categories: f.categories.value.split(",").map((s) => s.trim()).filter(Boolean),
      alarm: f.alarm.value === "" ? null : { minutes_before: Number(f.alarm.value), email: f.alarm_email.checked },
      rrule: null,
    };
    if (f.repeat.value) {
      const rule = { freq: f.repeat.value, interval: Number(f.interval.value) || 1 };
      if (rule.freq === "WEEKLY") rule.byday = $$("input[name=byday]:checked", form).map((b) => b.value);
      if (rule.freq === "MONTHLY" && form.querySelector("input[name=monthly_by]:checked").value === "weekday") {
        const d = startDate();
        const nth = Math.floor((d.getDate() - 1) / 7) + 1;
        rule.byday = [(nth > 4 ? -1 : nth) + WEEKDAY[d.getDay()]];
      }
      const ends = form.querySelector("input[name=ends]:checked").value;
      if (ends === "until") rule.until = f.until.value;
      if (ends === "count") rule.count = Number(f.count.value);
      fields.rrule = rule;
    }
    return fields;
  }

  function openEditor(range) {
    editing = null;
    const end = range.allDay ? new Date(range.end.getTime() - 86400000) : range.end;
    fillForm({
      all_day: range.allDay,
      start: toDateInput(range.start) + (range.allDay ? "" : "T" + toTimeInput(range.start)),
      end: toDateInput(end) + (range.allDay ? "" : "T" + toTimeInput(range.end)),
    });
    $("[data-event-heading]").textContent = "New event";
    $("[data-event-delete]").hidden = true;
    form.querySelectorAll("input, select, textarea").forEach((el) => { el.disabled = false; });
    $("[data-event-save]").hidden = false;
    dialog.showModal();
    form.elements.summary.focus();
  }

  async function openExisting(event) {
    const p = event.extendedProps;
    const url = new URL(p.url, window.location.origin);
    if (p.recurrence_id) url.searchParams.set("recurrence_id", p.recurrence_id);
    try {
      const data = await api(url);
      editing = { url: p.url, etag: data.etag, recurrence_id: p.recurrence_id, recurring: p.recurring, canWrite: p.can_write };
      fillForm(data.fields);
      $("[data-event-heading]").textContent = p.can_write ? "Edit event" : "Event";
      $("[data-event-delete]").hidden = !p.can_write;
      $("[data-event-save]").hidden = !p.can_write;
      form.querySelectorAll("input, select, textarea").forEach((el) => { el.disabled = !p.can_write; });
      dialog.showModal();
    } catch (error) { showProblem(error.message); }
  }

  function askScope(title) {
    return new Promise((resolve) => {
      $("[data-scope-title]").textContent = title;
      scopeDialog.returnValue = "";
      scopeDialog.addEventListener("close", () => {
        resolve(scopeDialog.returnValue === "ok" ? scopeDialog.querySelector("input[name=scope]:checked").value : null);
      }, { once: true });
      scopeDialog.showModal();
    });
  }

  $$("[data-event-close]").forEach((b) => b.addEventListener("click", () => dialog.close()));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fields = readForm();
    const error = $("[data-event-error]");
    if (!fields.start || !fields.end || (!fields.all_day && fields.start.length < 16)) {
      error.textContent = "Give the event a start and an end."; error.hidden = false; return;
    }
    let body = { fields };
    let url = page.dataset.eventUrl;
    if (editing) {
      let scope = "all";
      if (editing.recurring) { scope = await askScope("Save recurring event"); if (!scope) return; }
      body = { action: "update", fields, scope, recurrence_id: editing.recurrence_id, etag: editing.etag };
      url = editing.url;
    }
    try {
      await api(url, { method: "POST", body: JSON.stringify(body) });
      dialog.close();
      calendar.refetchEvents();
    } catch (err) { error.textContent = err.message; error.hidden = false; }
  });
  $("[data-event-delete]").addEventListener("click", async () => {
    let scope = "all";
    if (editing.recurring) { scope = await askScope("Delete recurring event"); if (!scope) return; }
    try {
      await api(editing.url, { method: "POST", body: JSON.stringify({ action: "delete", scope, recurrence_id: editing.recurrence_id, etag: editing.etag }) });
      dialog.close();
      calendar.refetchEvents();
    } catch (err) { const error = $("[data-event-error]"); error.textContent = err.message; error.hidden = false; }
  });

  async function moveEvent(info) {
    const p = info.event.extendedProps;
    let scope = "all";
    if (p.recurring) { scope = await askScope("Move recurring event"); if (!scope) { info.revert(); return; } }
    const allDay = info.event.allDay;
    const start = info.event.start;
    const end = info.event.end || new Date(start.getTime() + (allDay ? 86400000 : 3600000));
    const body = {
      action: "move", scope, recurrence_id: p.recurrence_id,
      start: allDay ? toDateInput(start) : start.toISOString(),
      end: allDay ? toDateInput(end) : end.toISOString(),
      all_day: allDay,
    };
    try { await api(p.url, { method: "POST", body: JSON.stringify(body) }); calendar.refetchEvents(); }
    catch (err) { info.revert(); showProblem(err.message); }
  }

  phone.addEventListener("change", () => { if (phone.matches) calendar.changeView("listWeek"); });
  page.dataset.ready = "1";
})();
