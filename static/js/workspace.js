/* The depositary's confirmations (templates/depositary/confirm.html).

   htmx brings a <dialog> in; opened as a modal, it keeps focus inside itself, closes on
   Escape, and gives focus back to what opened it. A file rather than inline code or
   hx-on, which the Content-Security-Policy forbids. Without JavaScript the same links
   open the confirmation as a page. */
document.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (element instanceof HTMLDialogElement && "modal" in element.dataset && !element.open) {
    element.showModal();
  }
});

/* A decision redraws the queue, and what had focus went with the dialog: focus moves to
   the message that says what happened, or else to the queue's heading. */
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target.id !== "queue") return;
  const focused = document.activeElement;
  if (focused && focused !== document.body && document.contains(focused)) return;
  const queue = document.getElementById("queue");
  const landing = queue && (queue.querySelector(".messages") || queue.querySelector("#queue-heading"));
  if (landing) landing.focus();
});
