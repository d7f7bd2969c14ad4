/** The sign-in page: one API token, pasted once, exchanged for a read token; the form never puts it in a URL. */
import { signIn } from "./auth.ts";
import { h, part } from "./dom.ts";
import type { View } from "./view.ts";

export function signInView(reason: string | null, signedIn: () => void): View {
  const form = h(
    "form",
    // POST, and no action a browser without the script could follow: the token never lands in an address bar.
    { class: "sign-in", method: "post", "aria-labelledby": "sign-in-title" },
    h("h1", { id: "sign-in-title" }, "Sign in"),
    h("p", { class: "notice", role: "status", hidden: reason === null }, reason ?? ""),
    h("label", { for: "api-token" }, "API token"),
    h("input", {
      id: "api-token",
      name: "token",
      type: "password",
      autocomplete: "off",
      required: true,
      spellcheck: "false",
    }),
    h("button", { type: "submit" }, "Sign in"),
    h("p", { class: "error", role: "alert" }),
    h(
      "p",
      { class: "hint" },
      "The page exchanges it for a read-only token valid for 24 hours and keeps only that, in this tab. " +
        "With npm run dev, the token is dev-token.",
    ),
  );
  const input = part<HTMLInputElement>(form, "input");
  const error = part(form, ".error");
  const button = part<HTMLButtonElement>(form, "button");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    const result = await signIn(input.value.trim());
    button.disabled = false;
    if (result.ok) {
      input.value = "";
      return signedIn();
    }
    error.textContent = result.message;
    input.select();
  });
  queueMicrotask(() => input.focus());
  return { element: h("main", { class: "sign-in-page" }, form), dispose: () => {} };
}
