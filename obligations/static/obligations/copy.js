// "Copy" buttons: data-copy names the input whose value goes to the clipboard (no inline script:
// the Content-Security-Policy allows only files of this site).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const done = () => { button.textContent = "Copied"; };
  const select = () => { field.select(); document.execCommand("copy"); done(); };
  // The clipboard API may refuse, or (without the page's focus or a permission answer) never
  // settle: after a second without an answer, select and copy the old way.
  const late = new Promise((_, refuse) => setTimeout(refuse, 1000));
  const copied = navigator.clipboard && window.isSecureContext
    ? Promise.race([navigator.clipboard.writeText(field.value), late])
    : Promise.reject(new Error("no clipboard API"));
  copied.then(done, select);
});
