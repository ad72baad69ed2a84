// "Copy" buttons: data-copy names the input whose value goes to the clipboard (no inline script:
// the Content-Security-Policy allows only files of this site).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const done = () => { button.textContent = "Copied"; };
  const select = () => { field.select(); document.execCommand("copy"); done(); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, select);  // refused: select and copy
  } else {
    select();
  }
});
