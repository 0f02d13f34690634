// Live progress for /mailings/{id}/progress: reads the status handler every two seconds until the mailing is finished.
// Without this script the page has a Refresh link.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("progress");
  if (!box || box.dataset.finished === "true") return;
  const bar = document.getElementById("progress-bar");
  const number = new Intl.NumberFormat("en-GB");
  const tick = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const f = await response.json();
      for (const el of box.querySelectorAll("[data-field]")) {
        const v = f[el.dataset.field.charAt(0).toLowerCase() + el.dataset.field.slice(1)];
        el.textContent = typeof v === "number" ? number.format(v) : v;
      }
      const tag = box.querySelector("[data-field=Status]");
      tag.className = "tag status-" + f.status;
      bar.value = f.percent;
      bar.textContent = f.percent + "%";
      if (f.finished) { box.dataset.finished = "true"; return; }
    } catch { /* the next tick tries again */ }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
});
