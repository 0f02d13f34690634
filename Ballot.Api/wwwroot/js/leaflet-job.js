// Live progress of a bulk leaflet job: polls the page's progress handler and reloads when the job ends (to show the zip link).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("job-progress");
  if (!box) return;
  const bar = document.getElementById("job-bar");
  const status = document.getElementById("job-status");
  const tick = async () => {
    try {
      const r = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (r.ok) {
        const p = await r.json();
        bar.max = Math.max(1, p.total);
        bar.value = p.done;
        bar.textContent = p.percent + "%";
        status.textContent = `${p.status} ${p.done.toLocaleString("en-GB")} of ${p.total.toLocaleString("en-GB")} (${p.percent}%)`;
        if (p.status === "done" || p.status === "failed") { window.location.reload(); return; }
      }
    } catch { /* the next tick tries again */ }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
});
