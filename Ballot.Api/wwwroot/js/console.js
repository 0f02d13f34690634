// Small enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // GOV.UK pattern: move focus to the error summary so screen readers read it first.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
