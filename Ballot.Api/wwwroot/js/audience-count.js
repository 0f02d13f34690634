// The compose form's live audience count: after any change to the audience, ask ?handler=count and say the number.
// Without this script the "Count" button does the same with a round trip.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.compose");
  const out = document.getElementById("audience-count");
  if (!form || !out) return;
  let timer;
  const update = async () => {
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll("input[name=categories]:checked, input[name=regions]:checked")) query.append(input.name, input.value);
    query.append("employers", form.querySelector("#employers").value);
    try {
      const response = await fetch(form.dataset.countUrl + "&" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) out.textContent = "This audience reaches " + (await response.json()).text + ".";
    } catch { /* the Count button still works */ }
  };
  form.querySelector("fieldset.audience").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
  update();
});
